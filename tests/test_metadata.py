import datetime
import math
import re

import pytest

from misinfo.metadata import metadata_row, parse_metadata

SECONDS = 1585945439.0  # 2020-04-03, ReINTEL's timestamp_post


@pytest.mark.parametrize("published", [SECONDS, 1585945439, 1585945439000, 1585945439000.0, 1585945439000000,
                                       1585945439000000000])
def test_seconds_and_milli_micro_nanoseconds_read_alike_in_python_and_in_a_csv(published):
    assert metadata_row(likes=1, published=published)[3] == SECONDS
    values, notes = parse_metadata(["1", None, None, str(published)])
    assert values[3] == SECONDS and notes == ()


@pytest.mark.parametrize("cell", ["0", "-1", "-1e20", "9999999999999999999999", "1e300"])
def test_a_time_nobody_published_at_is_unknown_with_a_note(cell):
    values, notes = parse_metadata(["5", None, None, cell])
    assert values[0] == 5.0 and math.isnan(values[3])
    assert len(notes) == 1 and "between 1990 and 2099" in notes[0] and "unknown" in notes[0]


@pytest.mark.parametrize("value", [0, -1, 1e20, datetime.datetime(1900, 1, 1)])
def test_the_api_refuses_a_time_nobody_published_at(value):
    with pytest.raises(ValueError, match="between 1990 and 2099"):
        metadata_row(likes=1, published=value)


@pytest.mark.parametrize("value, shown", [(1585886400000000000000, "1585886400000000000000"), (-1e20, "-1e+20"),
                                          (datetime.datetime(1900, 1, 1), "datetime.datetime(1900, 1, 1, 0, 0)")])
def test_a_refused_time_is_quoted_as_given(value, shown):
    with pytest.raises(ValueError, match=re.escape(f"published {shown} is not a time")):
        metadata_row(likes=1, published=value)


@pytest.mark.parametrize("cell", ["2020-03-12", "20200312"])
def test_a_date_without_a_time_of_day_is_not_read_as_midnight(cell):
    values, notes = parse_metadata(["5", None, None, cell])
    assert math.isnan(values[3]) and "without a time of day" in notes[0]
    assert parse_metadata(["5", None, None, "2020-03-12T10:00"])[0][3] == 1583982000.0
    assert "neither Unix seconds nor an ISO 8601 time" in parse_metadata(["5", None, None, "2020-13-45"])[1][0]


def test_missing_values_of_pandas_and_numpy_are_unknown():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    for value in (pd.NA, pd.NaT, np.datetime64("NaT"), None, math.nan):
        row = metadata_row(likes=value, comments=value if value is not pd.NaT else None, published=value)
        assert all(math.isnan(v) for v in row)
    naive = datetime.datetime(2020, 3, 12, 10)  # naive = Vietnam time, whatever its type
    expected = metadata_row(published=naive)[3]
    assert metadata_row(published=pd.Timestamp(naive))[3] == expected
    assert metadata_row(published=np.datetime64(naive))[3] == expected


def test_a_count_too_large_for_a_float_is_a_value_error():
    with pytest.raises(ValueError, match="too large"):
        metadata_row(likes=10**400)
    with pytest.raises(ValueError, match="too large"):
        metadata_row(likes=1, published=10**400)
