"""What every cost report prints beside its figures: the assumptions and where each price is from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from momentloop_infra.review.assumptions import ASSUMPTIONS
from momentloop_infra.review.cost import price_table


def assumptions_lines(values: Mapping[str, float]) -> list[str]:
    lines = []
    for a in ASSUMPTIONS:
        value = values.get(a.name, a.default)
        given = "" if value == a.default else " (given)"
        lines.append(f"{a.name} = {value:g} {a.unit}{given}: {a.about}; default {a.default:g}, change with {a.option}")
    return lines


def price_lines(ids: Iterable[str]) -> list[str]:
    prices = price_table()["prices"]
    return [
        f"{i}: ${prices[i]['usd']} per {prices[i]['unit']} ({prices[i]['date']}, {prices[i]['source']})" for i in ids
    ]


def table_note() -> str:
    t = price_table()
    return (
        f"{t['currency']} list prices, region {t['region']}, from the table shipped with momentloop_infra. {t['about']}"
    )
