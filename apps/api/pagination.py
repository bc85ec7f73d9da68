from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Stable pages however many stories are logged meanwhile: an opaque cursor, newest first."""

    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    ordering = ("-created_at", "-pk")


class LatestFirst(NewestFirst):
    ordering = ("-pk",)
