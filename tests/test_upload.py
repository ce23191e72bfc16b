"""Uploaded points: reading CSV / NPY files, the store, the ``uploaded`` manifold and the sidebar uploader."""

import io
import os

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from app_support import assert_healthy, run_page, two_d_views, widget
from explorer import explore, export, upload
from explorer.plugins import PluginError

RNG = np.random.default_rng(0)
XY = RNG.standard_normal((57, 2))
XYZ = RNG.standard_normal((57, 3))
T = np.cumsum(RNG.random(57))


def csv(table, header=None, fmt="%.17g", delimiter=","):
    buffer = io.BytesIO()
    np.savetxt(buffer, table, fmt=fmt, delimiter=delimiter, header=header or "", comments="")
    return buffer.getvalue()


def npy(array, **kwargs):
    buffer = io.BytesIO()
    np.save(buffer, array, **kwargs)
    return buffer.getvalue()


def forged_header(shape):
    """An NPY header claiming ``shape`` of float64, without the data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def empty_store():
    upload.forget_all()
    yield
    upload.forget_all()


# -- round trips ------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, points, t", [
    (csv(XY), XY, None),
    (csv(XYZ), XYZ, None),
    (csv(np.column_stack([T, XY]), "t,x,y"), XY, T),
    (csv(np.column_stack([XYZ[:, 2], T, XYZ[:, 0], XYZ[:, 1]]), "z,T,x,y"), XYZ, T),  # any order, any case
    (csv(np.column_stack([XY, T]), "a,b,t"), XY, T),  # other names: the two that are not t
    (csv(XY, delimiter=";"), XY, None),
    (csv(XY, delimiter="\t"), XY, None),
    (csv(XY, delimiter="  "), XY, None),
    (b"\xef\xbb\xbf# my points\n" + csv(np.column_stack([T, XY]), "t , x , y") + b"\n\n# the end\n", XY, T),
    (npy(XY), XY, None),
    (npy(XYZ.astype(np.float32)), XYZ.astype(np.float32).astype(np.float64), None),
    (npy(np.arange(40).reshape(20, 2)), np.arange(40.0).reshape(20, 2), None),
    (npy(np.rec.fromarrays([T, XY[:, 0], XY[:, 1]], names="t,x,y")), XY, T),
])
def test_files_read_back_exactly(data, points, t):
    parsed = upload.parse_upload(data, "points")
    assert_array_equal(parsed.points, points)
    assert parsed.t_given == (t is not None)
    assert_array_equal(parsed.t, t if t is not None else np.arange(len(points), dtype=float))
    assert parsed.points.dtype == np.float64 and not parsed.points.flags.writeable
    assert parsed.key == upload.fingerprint(parsed.points, parsed.t) and len(parsed.key) == 16


def test_the_pages_own_points_csv_reads_back():
    result = explore("trefoil", "relu", n_points=300)
    parsed = upload.parse_upload(export.points_csv(result), "points.csv")
    assert_array_equal(parsed.points, result.original)
    assert_array_equal(parsed.t, result.t)
    assert parsed.columns == ("original_1", "original_2", "original_3", "t")


def test_quoted_csv_fields():
    parsed = upload.parse_upload(b'"x","y"\n' + b"".join(f'"{i}","{i * i}"\n'.encode() for i in range(12)))
    assert_array_equal(parsed.points, [[i, i * i] for i in range(12)])


def test_the_example_file_reads_back_as_the_example():
    parsed = upload.parse_upload(upload.example_csv(), "example.csv")
    points, t = upload.example_points()
    assert_array_equal(parsed.points, points)
    assert_array_equal(parsed.t, t)


# -- malformed files --------------------------------------------------------------------------------

@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"  \n\n ", "empty"),
    (b"# only a comment\n", "no rows"),
    (b"x,y\n1,2\n3\n" + b"4,5\n" * 10, "line 3 has 1 value; expected 2"),
    (b"x,y\n" + b"1,2\n" * 5 + b"3,4,5\n" + b"1,2\n" * 5, "line 7 has 3 values"),
    (b"x,y\n" + b"1,2\n" * 5 + b"1,abc\n" + b"3,4\n" * 5, "line 7, column y: 'abc' is not a number"),
    (b"x,y\n" + b"1,2\n" * 5 + b"1,\n" + b"3,4\n" * 5, "line 7, column y: '' is not a number"),
    (b"1,2\n" * 5 + b"nan,2\n" + b"3,4\n" * 5, "1 points have coordinates that are not finite numbers"),
    (b"t,x,y\n" + b"inf,1,2\n" + b"1,3,4\n" * 10, "t that are not finite"),
    (b"1\n2\n3\n" * 5, "1 columns and no header"),
    (b"1,2,3,4\n" * 12, "4 columns and no header"),
    (b"a,b,c,d\n" + b"1,2,3,4\n" * 12, "can't tell the coordinates"),
    (b"x,x,y\n" + b"1,2,3\n" * 12, "distinct name"),
    (b"x,,y\n" + b"1,2,3\n" * 12, "distinct name"),
    (b"x,y\n" + b"1,2\n" * 9, "9 points; at least 10"),
    (b"1,2\n" * 12, "all points are the same point"),
    (b"1,5;2,5\n" * 12, "'1,5' is not a number"),  # decimal commas are not read
    (b"\xff\xfe\x00\x01garbage", "neither an NPY file nor a UTF-8 text"),
    (b"x,y\n1,2\x00\n", "neither an NPY file nor a text"),
    (npy(np.zeros((20, 4))), "shape (20, 4); expected (N, 2) or (N, 3)"),
    (npy(np.zeros((5, 5, 2))), "shape (5, 5, 2)"),
    (npy(np.zeros(30)), "shape (30,)"),
    (npy(np.ones((20, 2), dtype=complex)), "must hold real numbers"),
    (npy(np.array(["a", "b"] * 10).reshape(10, 2)), "must hold real numbers"),
    (npy(np.rec.fromarrays([np.arange(12.0), np.arange(12.0)], names="t,x")), "can't tell the coordinates"),
    (npy(np.zeros((20, 2)))[:-40], "can't be read"),
    (b"\x93NUMPY\x01\x00garbage", "not a readable NPY file"),
    (b"PK\x03\x04" + b"\x00" * 40, "zip archive"),
    (forged_header((1, 2**40, 2**40)) + b"\x00" * 64, "at most 200,000 points"),  # refused before allocating
    (forged_header((100_000, 2)) + b"\x00" * 64, "can't be read"),
])
def test_malformed_files_are_explained(data, words):
    with pytest.raises(ValueError) as error:
        upload.parse_upload(data, "bad.csv")
    message = str(error.value)
    assert message.startswith("bad.csv: ") and words in message, message


def test_size_limits_are_documented_and_enforced(monkeypatch):
    assert upload.MAX_BYTES == 20 * 2**20 and upload.MAX_ROWS == 200_000 and upload.MIN_ROWS == 10
    with pytest.raises(ValueError, match="the file is 20.0 MB; the limit is 20 MB"):
        upload.parse_upload(b"1" * (upload.MAX_BYTES + 1))
    monkeypatch.setattr(upload, "MAX_ROWS", 30)
    with pytest.raises(ValueError, match="31 rows; at most 30 points"):
        upload.parse_upload(csv(np.arange(62.0).reshape(31, 2)))
    with pytest.raises(ValueError, match="at most 30 points"):
        upload.parse_upload(npy(np.arange(62.0).reshape(31, 2)))
    assert upload.parse_upload(csv(np.arange(60.0).reshape(30, 2))).rows == 30


def test_a_pickle_in_an_npy_file_is_never_loaded(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    data = npy(np.array([Payload()] * 12, dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="Python objects, which are not read"):
        upload.parse_upload(data, "evil.npy")
    assert not marker.exists()
    with pytest.raises(ValueError):
        upload.parse_upload(data[:60] + b"x" * 100, "evil.npy")
    assert not marker.exists() and list(tmp_path.iterdir()) == []


# -- the store and the manifold ---------------------------------------------------------------------

def test_remember_and_recall():
    key = upload.remember(XY, T)
    points, t = upload.recall(key)
    assert_array_equal(points, XY) and not points.flags.writeable
    assert_array_equal(t, T)
    assert upload.remember(XY.copy(), T.copy()) == key  # content, not identity
    assert upload.remember(XY) != key  # t is content too
    with pytest.raises(ValueError, match="16-digit fingerprint"):
        upload.recall("../../etc/passwd")
    with pytest.raises(ValueError, match="not in this server's memory: upload the file again"):
        upload.recall("0123456789abcdef")


def test_the_store_is_bounded_and_keeps_the_most_recently_used():
    keys = [upload.remember(XY + i) for i in range(upload.STORE_SIZE)]
    upload.recall(keys[0])  # used: moves to the back
    upload.remember(XY + 100)
    upload.recall(keys[0])
    with pytest.raises(ValueError, match="not in this server's memory"):
        upload.recall(keys[1])


def test_the_uploaded_manifold_returns_the_points():
    key = upload.remember(XYZ, T)
    result = explore("uploaded", n_points=57, manifold_params={"data": key})
    assert_array_equal(result.original, XYZ)
    assert_array_equal(result.t, T)
    fewer = explore("uploaded", n_points=19, manifold_params={"data": key})
    rows = np.arange(19) * 57 // 19  # an even stride through the rows
    assert_array_equal(fewer.original, XYZ[rows])
    assert_array_equal(fewer.t, T[rows])
    with pytest.raises(PluginError, match="the uploaded file has 57 points; set points to at most 57"):
        explore("uploaded", n_points=60, manifold_params={"data": key})
    with pytest.raises(PluginError, match="manifold 'uploaded': the uploaded points fedcba9876543210 are not"):
        explore("uploaded", n_points=20, manifold_params={"data": "fedcba9876543210"})


def test_without_data_the_manifold_shows_the_example_at_any_size():
    for n_points in (10, 5000):
        result = explore("uploaded", n_points=n_points)
        assert_array_equal(result.original, upload.example_points(n_points)[0])
    points, t = upload.example_points(1000)
    upper = np.arange(1000) < 500  # the first half: t from 0 to π
    assert_allclose(np.hypot(*points[upper].T), 1.0)
    assert_allclose(np.hypot(points[~upper, 0] - 1, points[~upper, 1] - 0.5), 1.0)
    assert np.all(np.diff(t) >= 0)


# -- the page ---------------------------------------------------------------------------------------

def uploader(app):
    (element,) = [e for e in app.sidebar.file_uploader if e.key == "upload.file"]
    return element


def test_page_uploads_a_file_and_draws_it():
    app = run_page({"manifold": "uploaded"})
    assert_healthy(app)
    captions = " ".join(c.value for c in app.sidebar.caption)
    assert "example" in captions and "a link to this page doesn't carry them" in captions
    uploader(app).set_value(("mine.csv", csv(np.column_stack([T, XY]), "t,x,y"), "text/csv"))
    app.run()
    assert_healthy(app)
    key = upload.fingerprint(XY, T)
    assert widget(app, "n_points").value == 57
    assert app.session_state["uploaded.data"] == key and app.query_params["uploaded.data"] == key
    assert "57 points in R² (columns x, y; t from column t)" in " ".join(c.value for c in app.sidebar.caption)
    original, _ = two_d_views(app)
    assert_allclose(original[["x", "y"]], XY, rtol=1e-6, atol=1e-6)


def test_page_explains_a_malformed_file_and_keeps_working():
    app = run_page({"manifold": "uploaded", "n_points": "300"})
    uploader(app).set_value(("bad.csv", b"x,y\n1,2\n3,oops\n", "text/csv"))
    app.run()
    assert not app.exception
    assert [e.value for e in app.sidebar.error] == ["bad.csv: line 3, column y: 'oops' is not a number"]
    original, _ = two_d_views(app)  # the example is still drawn
    assert_allclose(original[["x", "y"]], upload.example_points(300)[0], rtol=1e-6, atol=1e-6)


def test_a_link_cannot_carry_someone_elses_upload():
    key = upload.remember(XY, T)  # on this server, uploaded by another session
    app = run_page({"manifold": "uploaded", "uploaded.data": key, "n_points": "40"})
    assert not app.exception and not app.error
    assert any("a link can't carry them" in w.value for w in app.sidebar.warning)
    original, _ = two_d_views(app)
    assert_allclose(original[["x", "y"]], upload.example_points(40)[0], rtol=1e-6, atol=1e-6)
