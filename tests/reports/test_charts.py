"""Chart geometry: bars as SVG width attributes, nothing drawn for 'c'."""

from reports.templatetags.report_tags import BAR_AREA, bars, chart_height


def test_bars_scale_to_the_largest_and_skip_suppressed_values():
    out = bars([{"label": "A", "value": 10, "shown": "10"}, {"label": "B", "value": None, "shown": "c"},
                {"label": "C", "value": 5, "shown": "5"}, {"label": "D", "value": 0, "shown": "0"}])
    assert [b["width"] for b in out] == [BAR_AREA, 0, BAR_AREA // 2, 0]
    assert out[1]["shown"] == "c"
    assert out[2]["y"] > out[1]["y"] > out[0]["y"]
    assert chart_height(out) == 4 * (out[1]["y"] - out[0]["y"])


def test_a_chart_with_nothing_published_draws_no_bars():
    assert [b["width"] for b in bars([{"label": "A", "value": None, "shown": "c"}])] == [0]
    assert bars(None) == []
