"""Your own points, from a CSV or NPY file uploaded on the page (see explorer.upload)."""

import numpy as np

from explorer import upload
from manifolds import Param, register


@register(
    "uploaded",
    label="Your own points (upload a file)",
    params={
        "data": Param("", help="Fingerprint of the uploaded file, set by the uploader below; empty shows an "
                               "example (two moons). The points stay in this browser session: a link "
                               "can't carry them"),
    },
)
def uploaded(n_points: int, data: str):
    """The uploaded points named by ``data`` (:func:`explorer.upload.recall`), or with ``data`` empty
    the example, :func:`explorer.upload.example_points` (n_points). Returns points (n_points, 2 or 3)
    and t (n_points,).

    ``n_points`` is at most the file's rows: an even stride through them (row ``⌊i·rows / n_points⌋``
    for i = 0 … n_points − 1), every row when equal; more points than rows raises ``ValueError``
    (a file is not resampled).
    """
    if not data:
        return upload.example_points(n_points)
    points, t = upload.recall(data)
    rows = len(points)
    if n_points > rows:
        raise ValueError(f"the uploaded file has {rows:,} points; set points to at most {rows:,}")
    picks = np.arange(n_points) * rows // n_points
    return np.array(points[picks]), np.array(t[picks])
