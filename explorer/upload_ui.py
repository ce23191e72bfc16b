"""The sidebar's file uploader for the ``uploaded`` manifold. Streamlit UI code.

How uploaded points reach the pure, cached engine: the uploader's callback parses the file
(:func:`explorer.upload.parse_upload`), keeps it in this session (``st.session_state``) and in the
engine's store (:func:`explorer.upload.remember`), and sets the manifold's ``data`` parameter to
the file's content fingerprint — so the fingerprint is part of the cache key, and equal files
share cache entries. A session only ever sees its own uploads: a fingerprint it did not upload (a
link from someone else, or a reload) is ignored with a notice, even if the server still holds
those points.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from explorer import upload
from explorer.ui import as_text

FILE_KEY = "upload.file"  # the uploader's widget key (not in the URL)
DATA_KEY = "uploaded.data"  # the manifold's `data` parameter: its widget key and URL key
_OWN = "_upload_own"  # session: fingerprint → Upload, this session's files (the last few)
_ERROR = "_upload_error"
KEEP = 3  # uploads a session keeps


def upload_sidebar(manifold_params: dict[str, Any]) -> None:
    """Draw the uploader; set ``manifold_params["data"]`` to what this session may show."""
    st.file_uploader("Points file (CSV or NPY)", type=["csv", "npy"], key=FILE_KEY, on_change=_on_upload,
                     max_upload_size=upload.MAX_BYTES // 2**20,
                     help=f"2 or 3 columns of coordinates, optionally a column t (with a header: t, x, y, z). "
                          f"Up to {upload.MAX_ROWS:,} points and {upload.MAX_BYTES // 2**20} MB; NPY is read "
                          f"without pickles.")
    if st.session_state.get(_ERROR):
        st.error(as_text(st.session_state[_ERROR]), icon=":material/error:")
    own = st.session_state.setdefault(_OWN, {})
    data = manifold_params.get("data", "")
    if data and data not in own:
        st.warning("This link names uploaded points, and a link can't carry them: upload the file to see "
                   "them. Showing the example meanwhile.", icon=":material/link_off:")
        manifold_params["data"] = ""
    elif data:
        upload.remember(own[data].points, own[data].t)  # back in the engine's store if others pushed it out
        st.caption(own[data].describe())
    else:
        st.caption("Showing an example (two moons) until you upload a file.")
        st.download_button("Example CSV", upload.example_csv(), "example.csv", "text/csv",
                           icon=":material/download:", on_click="ignore")
    st.caption(":material/link_off: Uploaded points stay in this browser session: a link to this page "
               "doesn't carry them.")


def _on_upload() -> None:
    """The uploader changed: parse the new file (or note its removal) before the page reruns."""
    st.session_state.pop(_ERROR, None)
    file = st.session_state.get(FILE_KEY)
    if file is None:
        st.session_state[DATA_KEY] = ""
        return
    try:
        parsed = upload.parse_upload(file.getvalue(), file.name)
    except ValueError as error:
        st.session_state[_ERROR] = str(error)
        return
    own = st.session_state.setdefault(_OWN, {})
    own.pop(parsed.key, None)
    own[parsed.key] = parsed
    for key in list(own)[:-KEEP]:
        del own[key]
    upload.remember(parsed.points, parsed.t)
    st.session_state[DATA_KEY] = parsed.key
    st.session_state["n_points"] = parsed.rows  # every row once
