from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.decisions.models import Channel

from . import selectors
from .forms import PERIODS, LeaderboardFilterForm
from .models import Period
from .scoring import formula


def _board(request: HttpRequest, *, board: str) -> HttpResponse:
    form = LeaderboardFilterForm(request.GET, teams_board=board == selectors.TEAMS, viewer=request.user)
    filters = form.filters()
    page = selectors.leaderboard_page(board=board, viewer=request.user, **filters)
    if filters["week"] != page.snapshot.starts_on or page.snapshot.period != Period.WEEK:
        filters["week"] = None  # this week or later: the ordinary board
    return render(
        request,
        "leaderboards/board.html",
        {
            "form": form,
            "board": board,
            "page": page,
            "periods": PERIODS,
            "formula": formula(),
            "channel_label": Channel(filters["channel"]).label if filters["channel"] else "",
            **filters,
        },
    )


def index(request: HttpRequest) -> HttpResponse:
    """People: who earned the most recognition (every signed-in person may read every board)."""
    return _board(request, board=selectors.PEOPLE)


def teams(request: HttpRequest) -> HttpResponse:
    return _board(request, board=selectors.TEAMS)
