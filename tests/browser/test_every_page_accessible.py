"""Every page, for every role and in every language, passes axe-core (no serious or critical violation) at desktop
and phone widths, and nothing scrolls sideways on a 360 px phone.

The pages are those of `tests/every_page.py`: every page a role may open (from the URL conf), the leaderboards' tabs,
the error pages and the main forms shown with their errors. axe-core is vendored in `tests/browser/vendor/` (never
fetched at run time). One browser context per role and language; each page is loaded once, checked at 1280 px, then
narrowed to 360 px and checked again. English gets every axe rule at both widths; Spanish and Dutch get the rules a
translation can break, at 1280 px, and the sideways-scrolling check at 360 px.
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS
from tests.every_page import FORMS_WITH_ERRORS, LANGUAGES, ROLES, build_world, page_addresses, set_language

pytestmark = [pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
REPORT = SCREENSHOTS.parent / "axe"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

RUN_AXE = """async rules => {
  const options = {resultTypes: ["violations"]};
  if (rules) options.runOnly = {type: "rule", values: rules};
  const results = await axe.run(document, options);
  return results.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""

# In Spanish and Dutch, axe checks what a translation can break (names, labels, languages); the rest (structure,
# contrast, landmarks) does not change with the language and is checked in English, at both widths.
TRANSLATED_RULES = [
    "label-content-name-mismatch",
    "link-name",
    "button-name",
    "input-button-name",
    "label",
    "select-name",
    "empty-heading",
    "document-title",
    "html-has-lang",
    "html-lang-valid",
    "valid-lang",
    "frame-title",
    "aria-toggle-field-name",
    "aria-input-field-name",
    "summary-name",
]
# The elements that stick out on the right, to say what scrolls sideways.
WIDE = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className ? "." + e.className : ""))"""

SUBMIT_WITH = """data => {
  const form = document.querySelector("main form[method=post]");
  for (const [name, value] of Object.entries(data)) {
    const field = form.elements.namedItem(name);
    if (field && field.type !== "checkbox") field.value = value;
  }
  HTMLFormElement.prototype.submit.call(form);
}"""


@pytest.fixture
def world(transactional_db):
    return build_world(now=timezone.now())


def _check(page, label: str, failures: list[str], seen: dict, *, english: bool) -> None:
    for width, viewport in (("1280", DESKTOP), ("360", PHONE)):
        page.set_viewport_size(viewport)
        if width == "360" and not english:
            violations = []
        else:
            violations = page.evaluate(RUN_AXE, None if english else TRANSLATED_RULES)
        for violation in violations:
            seen.setdefault(f"{violation['impact']} {violation['rule']}", set()).add(label)
            if violation["impact"] in FAILING_IMPACTS:
                failures.append(
                    f"{label} at {width}px: {violation['rule']} ({violation['impact']}): {violation['help']} — "
                    + " | ".join(violation["targets"])
                )
        if width == "360":
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                wide = ", ".join(page.evaluate(WIDE))
                failures.append(f"{label} at 360px: scrolls sideways by {overflow}px — {wide}")
        if os.environ.get("LEEWAY_A11Y_SCREENSHOTS"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = "".join(c if c.isalnum() else "-" for c in label)[:90]
            page.screenshot(path=str(SCREENSHOTS / f"a11y-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize(
    "language", [pytest.param(code, marks=pytest.mark.xdist_group(f"a11y-{code}")) for code in LANGUAGES]
)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible_at_desktop_and_phone_widths(
    browser, live_server, world, settle_context, role, language
):
    person = world.people[role]
    # What a phone's width changes (hidden menus, stacked layouts) is the same in every language: axe runs at 360 px
    # in English; in Spanish and Dutch (longer words) the phone width is checked for sideways scrolling.
    english = language == settings.LANGUAGE_CODE
    client = Client()
    set_language(client, person, language)
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(15_000)
    context.add_init_script(path=str(AXE))
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    if person is not None:
        client.force_login(person)
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        )
    context.add_cookies(cookies)
    page = context.new_page()
    failures: list[str] = []
    seen: dict[str, set] = {}
    checked = 0
    try:
        for name, path in page_addresses(world, role):
            page.goto(path)
            _check(page, f"{role} {language} {name} ({path})", failures, seen, english=english)
            checked += 1
        for name, path, data in FORMS_WITH_ERRORS.get(role, []):
            page.goto(path)
            with page.expect_navigation():
                page.evaluate(SUBMIT_WITH, data)
            _check(page, f"{role} {language} {name} with errors ({path})", failures, seen, english=english)
            checked += 1
    finally:
        settle_context(context)
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"{role}-{language}.json").write_text(
        json.dumps({"pages": checked, "violations": {k: sorted(v) for k, v in seen.items()}}, indent=1)
    )

    assert checked > 5
    assert failures == [], f"{len(failures)} accessibility failures:\n" + "\n".join(failures)
