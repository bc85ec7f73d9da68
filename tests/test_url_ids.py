"""An id in a URL that no database could hold (beyond 64 bits) is a page that does not exist: 404, never 500 (SQLite
raises OverflowError on it). Ids are matched by the URL conf itself, at most 18 digits."""

import pytest
from django.urls import Resolver404, resolve

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/recognition/decisions/{HUGE}/review/",
        f"/stories/{HUGE}/",
        f"/stories/rules/{HUGE}/",
        f"/digests/{HUGE}/",
    ],
)
def test_an_id_beyond_64_bits_is_not_found(client, an_agent, path):
    client.force_login(an_agent)

    assert client.get(path).status_code == 404
    with pytest.raises(Resolver404):
        resolve(path)


def test_the_largest_64_bit_id_is_still_an_id(client, an_agent):
    client.force_login(an_agent)

    assert resolve("/stories/999999999999999999/").kwargs == {"pk": 999999999999999999}
    assert client.get("/stories/999999999999999999/").status_code == 404
