"""Open Badges 3.0 credentials from Python: plaudit_credential_export.

``credential(engine, member, badge, ...)`` returns a member's earned badge as
an unsigned OpenBadgeCredential (a dict, or the library's JSON text with
``as_json=True``).  Importing this module also adds it to the Engine as
``Engine.credential(member, badge, ...)``.

The mapping, and how an issuer signs the document with its own key (VC-JWT
or a Data Integrity proof), are in docs/credentials.md.

The function is declared in ``_lib._DECLARATIONS`` with the rest of the C
API; with a library that lacks it, calling raises UnsupportedError.
"""

from __future__ import annotations

import ctypes
import json
from ctypes import byref, c_size_t, c_void_p
from typing import Any, Callable, Optional, Tuple, Union

from . import _conv
from . import _lib as L
from . import errors as E
from .engine import Engine, add_method, serialized

# The struct, the callback types and the function's row live in the one
# declaration table (_lib).
PLAUDIT_CREDENTIAL_OPTIONS_VERSION = L.PLAUDIT_CREDENTIAL_OPTIONS_VERSION
SubjectIdFn = L.SubjectIdFn
SubjectEmailFn = L.SubjectEmailFn
plaudit_credential_options = L.plaudit_credential_options
_export = L._lib.plaudit_credential_export if L.has("plaudit_credential_export") else None

StrLike = Union[str, bytes]
# A subject: a template ("https://x/members/{member}", "did:example:{member}")
# or a function from member id to subject id (URL or DID).
Subject = Union[str, Callable[[str], str]]
# Hashed email: a function from member id to its email, or (email, salt).
EmailFn = Callable[[str], Union[str, Tuple[str, Optional[str]]]]


_enc = _conv.text


@serialized
def credential(
    engine: Engine,
    member: StrLike,
    badge: StrLike,
    level: int = 0,
    *,
    issuer_id: str,
    issuer_name: str,
    base_url: str,
    issuer_url: Optional[str] = None,
    issuer_email: Optional[str] = None,
    issuer_image: Optional[str] = None,
    subject: Optional[Subject] = None,
    email: Optional[EmailFn] = None,
    as_json: bool = False,
) -> Union[dict, str]:
    """The OpenBadgeCredential of `member`'s `badge` (plaudit_credential_export).

    level: the level of a levelled badge, or the time of a repeatable,
    leaderboard or manual badge; 0 = the latest.
    subject: a template in which ``{member}`` becomes the percent-encoded
    member id, or a function ``member -> subject id``.  email: a function
    ``member -> email`` or ``member -> (email, salt)`` for a hashed-email
    IdentityObject instead.  With neither, the subject is
    ``BASE_URL/members/{member}`` (as the command line does).
    Returns a dict, or the JSON text with ``as_json=True``.
    Raises NotFoundError (unknown member or badge, not earned), RangeError
    (level not reached), InvalidArgumentError (missing issuer, ...),
    CallbackError (a subject/email function failed: its exception is
    chained), UnsupportedError (a library without credentials)."""
    if _export is None:
        raise E.UnsupportedError(E.EUNSUPPORTED, "plaudit_credential_export: not exported by the loaded libplaudit")
    if subject is not None and email is not None:
        raise E.InvalidArgumentError(E.EINVAL, "credential: give subject or email, not both")
    ctx = engine.handle
    o = plaudit_credential_options()
    o.version = PLAUDIT_CREDENTIAL_OPTIONS_VERSION
    o.issuer_id = _enc(issuer_id, "issuer_id")
    o.issuer_name = _enc(issuer_name, "issuer_name")
    o.issuer_url = _enc(issuer_url, "issuer_url")
    o.issuer_email = _enc(issuer_email, "issuer_email")
    o.issuer_image = _enc(issuer_image, "issuer_image")
    o.base_url = _enc(base_url, "base_url")
    keep: list = []           # buffers C reads until the call returns
    failure: list = []        # an exception raised by a Python callback

    if email is not None:
        def email_cb(m: bytes, pe: Any, ps: Any, payload: Any) -> int:
            try:
                r = email(m.decode("utf-8"))
                addr, salt = (r, None) if isinstance(r, (str, bytes)) else r
                b = ctypes.create_string_buffer(_enc(addr, "email"))
                keep.append(b)
                pe[0] = ctypes.addressof(b)
                if salt is not None:
                    s = ctypes.create_string_buffer(_enc(salt, "salt"))
                    keep.append(s)
                    ps[0] = ctypes.addressof(s)
                else:
                    ps[0] = None
                return 0
            except BaseException as e:  # reported after the call
                failure.append(e)
                return -1
        o.subject_email = SubjectEmailFn(email_cb)
        keep.append(o.subject_email)
    elif callable(subject):
        fn = subject

        def subject_cb(m: bytes, payload: Any) -> Optional[int]:
            try:
                b = ctypes.create_string_buffer(_enc(fn(m.decode("utf-8")), "subject"))
                keep.append(b)
                return ctypes.addressof(b)
            except BaseException as e:
                failure.append(e)
                return None
        o.subject_id = SubjectIdFn(subject_cb)
        keep.append(o.subject_id)
    else:
        if subject is None:
            subject = (base_url or "").rstrip("/") + "/members/{member}"
        o.subject_template = _enc(subject, "subject")

    p, n = c_void_p(), c_size_t()
    try:
        _export(ctx, _enc(member, "member"), _enc(badge, "badge"), _conv.integer(level, "level", 0, 0xFFFFFFFF), byref(o), byref(p), byref(n))
    except E.PlauditError as err:
        if failure:
            raise err from failure[0]
        raise
    try:
        text = ctypes.string_at(p.value, n.value).decode("utf-8")
    finally:
        L._lib.plaudit_free(ctx, p)
    return text if as_json else json.loads(text)


def _engine_credential(self: Engine, member: StrLike, badge: StrLike, level: int = 0,
                       **options: Any) -> Union[dict, str]:
    return credential(self, member, badge, level, **options)


if not hasattr(Engine, "credential"):
    add_method("credential", _engine_credential,
               "The OpenBadgeCredential of a member's earned badge (plaudit.credential.credential; the\n"
               "options are keyword arguments).\n\n" + (credential.__doc__ or ""))
