"""Bar charts drawn on the server as SVG: no script, no library, fine under the Content-Security-Policy.

Series differ by pattern as well as colour (solid, hatched), every bar carries its number as a tooltip, and the page
shows the same numbers as a table beside the chart.
"""

import dataclasses
import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from apps.core.templatetags.leeway import localized_number

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 36
MOST_LABELS = 7


@dataclasses.dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclasses.dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclasses.dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str
    title: str
    series: list[str]
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM
    top: int = TOP
    marker: Label | None = None  # a dashed line with its words (a limit), between two groups

    @property
    def right(self) -> int:
        return self.width - RIGHT


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value`, so the axis reads in round numbers."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if value <= step * power)


def bar_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int | Decimal]]],
    formatter: Callable[[int | Decimal], str] = localized_number,
    marker: tuple[int, str] | None = None,
) -> Chart:
    """Groups of bars, one group per label and one bar per series in each group; `marker` = (group, words) draws a
    dashed line with its words just before that group."""
    top = nice_ceiling(float(max((v for _name, values in series for v in values), default=0)))
    ticks = [(f, formatter(_tick(top * f))) for f in (0, 0.5, 1)]
    # Room on the left for the longest number of the axis ("$1,000,000" at 10,000 agents), at about 7 units a character.
    left = max(LEFT, 12 + 7 * max(len(label) for _f, label in ticks))
    plot_width, plot_height = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM
    group_width = plot_width / max(len(labels), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    bars = []
    for group, label in enumerate(labels):
        for index, (name, values) in enumerate(series):
            value = values[group]
            height = plot_height * float(value) / top
            bars.append(
                Bar(
                    x=round(left + group * group_width + group_width * 0.1 + index * bar_width, 1),
                    y=round(TOP + plot_height - height, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                    series=index,
                    title=f"{label} · {name}: {formatter(value)}",
                )
            )
    every = math.ceil(len(labels) / MOST_LABELS) or 1
    return Chart(
        key=key,
        title=title,
        series=[name for name, _values in series],
        bars=bars,
        ticks=[Tick(y=round(TOP + plot_height * (1 - f), 1), label=label) for f, label in ticks],
        left=left,
        labels=[
            Label(x=round(left + (group + 0.5) * group_width, 1), text=label)
            for group, label in enumerate(labels)
            if group % every == 0
        ],
        marker=Label(x=round(left + marker[0] * group_width, 1), text=marker[1]) if marker else None,
    )


def _tick(value: float) -> int | Decimal:
    return int(value) if value == int(value) else Decimal(str(value))
