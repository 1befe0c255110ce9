"""Compliance table exports neutralise text a spreadsheet would run as a formula."""

from decimal import Decimal

from aduan.compliance.views.exports import _cell, _table_export


def test_text_cells_are_neutralised_and_numbers_stay_numbers():
    assert _cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _cell("+62") == "'+62"
    assert _cell("Dinas PU") == "Dinas PU"
    assert _cell(Decimal("87.12")) == Decimal("87.12")
    assert _cell(3) == 3
    assert _cell(None) == ""
    response = _table_export("uji", ["OPD", "Nilai"], [["=1+1", Decimal("1.5")]], "csv")
    assert "'=1+1" in response.content.decode("utf-8-sig")
