"""The server-drawn bar charts: every axis number has room, and numbers read as the reader writes them."""

from decimal import Decimal

from django.utils import translation

from apps.insights.charts import LEFT, bar_chart


def money(amount) -> str:
    return f"${amount:,}"


def test_the_axis_makes_room_for_a_large_organisations_amounts():
    chart = bar_chart(
        key="value",
        title="Cost per week",
        labels=["2 Nov", "9 Nov"],
        series=[("Total cost", [Decimal("960000"), Decimal("955000")])],
        formatter=money,
    )

    assert [tick.label for tick in chart.ticks] == ["$0", "$500,000", "$1,000,000"]
    assert chart.left >= 12 + 7 * len("$1,000,000") > LEFT
    assert min(bar.x for bar in chart.bars) > chart.left


def test_a_small_chart_keeps_the_usual_margin():
    chart = bar_chart(key="n", title="Stories", labels=["2 Nov"], series=[("Stories", [7])])

    assert chart.left == LEFT


def test_counts_on_the_axis_are_grouped_as_the_reader_writes_them():
    with translation.override("nl"):
        chart = bar_chart(key="n", title="Verhalen", labels=["2 nov"], series=[("Verhalen", [19000])])

    assert [tick.label for tick in chart.ticks] == ["0", "10.000", "20.000"]
    assert chart.bars[0].title == "2 nov · Verhalen: 19.000"
