"""What a message looks like on each platform: a Microsoft Teams message with one Adaptive Card, or a Slack message
in Block Kit with its plain-text fallback. Built from one platform-neutral `Message`, in the channel's language."""

import dataclasses

TEAMS_CARD = "application/vnd.microsoft.card.adaptive"
ADAPTIVE_CARD_VERSION = "1.4"
SLACK_HEADER_MAX = 150
SLACK_TEXT_MAX = 3000


@dataclasses.dataclass(frozen=True)
class Message:
    title: str
    text: str
    context: str
    url: str
    button: str
    quote: str = ""

    @property
    def fallback(self) -> str:
        return f"{self.title}: {self.text} {self.url}"


def teams(message: Message) -> dict:
    body = [
        {"type": "TextBlock", "text": message.title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": message.text, "wrap": True},
    ]
    if message.quote:
        body.append({"type": "TextBlock", "text": f"“{message.quote}”", "wrap": True, "isSubtle": True})
    body.append({"type": "TextBlock", "text": message.context, "wrap": True, "isSubtle": True, "spacing": "Small"})
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": TEAMS_CARD,
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": ADAPTIVE_CARD_VERSION,
                    "body": body,
                    "actions": [{"type": "Action.OpenUrl", "title": message.button, "url": message.url}],
                },
            }
        ],
    }


def _slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup (links, mentions): people's text is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message) -> dict:
    text = _slack_escape(message.text)
    if message.quote:
        text += "\n>" + _slack_escape(message.quote).replace("\n", "\n>")
    return {
        "text": message.fallback,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": message.title[:SLACK_HEADER_MAX], "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_TEXT_MAX]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(message.context)}]},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.button},
                        "url": message.url,
                        "action_id": "open-in-leeway",
                    }
                ],
            },
        ],
    }


def render(platform: str, message: Message) -> dict:
    return teams(message) if platform == "teams" else slack(message)
