"""The one way shelf talks HTTP: polite to the services, bounded in what it costs us.

Everything a fetch can do wrong to the user (hang, fill memory, follow a
redirect to ``file:``, hammer arXiv into blocking us) is decided here, once, so
the per-service modules only parse. Failures become ``FetchError`` with one
line a person can act on; no httpx exception escapes.

Time is injected (``clock``, ``sleep``, ``now``) because arXiv asks for three
seconds between requests and retries back off for seconds too: tests replace
them and run in milliseconds.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from importlib import metadata
from types import TracebackType

import httpx

DEFAULT_ARXIV_API = "http://export.arxiv.org/api/query"
DEFAULT_CROSSREF_API = "https://api.crossref.org"
DEFAULT_DOI_RESOLVER = "https://doi.org"
MB = 1024 * 1024

#: Statuses that mean "not now" rather than "no": worth another try later.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


class FetchError(Exception):
    """A request that failed, as one line for the user; ``status`` when the server answered."""

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _version() -> str:
    try:
        return metadata.version("shelf")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "0"


def _project_url() -> str | None:
    """The homepage from the package metadata, so the User-Agent never names a made-up site."""
    try:
        meta = metadata.metadata("shelf")
    except metadata.PackageNotFoundError:
        return None
    if meta["Home-page"]:
        return str(meta["Home-page"])
    for entry in meta.get_all("Project-URL") or []:
        _label, _, url = str(entry).partition(", ")
        if url.startswith(("http://", "https://")):
            return url
    return None


@dataclass(frozen=True)
class FetchSettings:
    """Where to fetch from and how patiently; ``from_env`` applies the ``SHELF_*`` overrides.

    The base URLs are settings so a mirror, a proxy or a test server can stand
    in for the real services.
    """

    arxiv_api: str = DEFAULT_ARXIV_API
    crossref_api: str = DEFAULT_CROSSREF_API
    # DOIs Crossref does not know (DataCite: Zenodo, figshare, arXiv) are
    # looked up through the resolver's redirect to their landing page.
    doi_resolver: str = DEFAULT_DOI_RESOLVER
    contact_email: str | None = None
    project_url: str | None = field(default_factory=_project_url)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # A server that drips a byte every few seconds never trips the read
    # timeout; this bounds one request however the bytes arrive.
    total_timeout: float = 120.0
    max_bytes: int = 10 * MB
    retries: int = 3
    backoff: float = 2.0  # the first retry waits this long, each next one twice as long
    max_wait: float = 60.0  # longer Retry-After demands fail instead of stalling the user
    arxiv_interval: float = 3.0  # arXiv's API terms: one request every three seconds
    arxiv_batch: int = 50
    max_redirects: int = 5

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: object
    ) -> FetchSettings:
        """Defaults, then ``SHELF_ARXIV_API``, ``SHELF_CROSSREF_API``, ``SHELF_DOI_RESOLVER``
        and ``SHELF_CONTACT_EMAIL``."""
        env = os.environ if environ is None else environ
        settings = cls(
            arxiv_api=_base_url(env.get("SHELF_ARXIV_API"), DEFAULT_ARXIV_API, "SHELF_ARXIV_API"),
            crossref_api=_base_url(
                env.get("SHELF_CROSSREF_API"), DEFAULT_CROSSREF_API, "SHELF_CROSSREF_API"
            ),
            doi_resolver=_base_url(
                env.get("SHELF_DOI_RESOLVER"), DEFAULT_DOI_RESOLVER, "SHELF_DOI_RESOLVER"
            ),
            contact_email=(env.get("SHELF_CONTACT_EMAIL") or "").strip() or None,
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]

    @property
    def user_agent(self) -> str:
        """``shelf/0.1.0 (+URL; mailto:ADDRESS)``: Crossref routes identified clients to
        its better-served pool and writes to the address before blocking one."""
        about = [f"+{self.project_url}"] if self.project_url else []
        if self.contact_email:
            about.append(f"mailto:{self.contact_email}")
        return f"shelf/{_version()}" + (f" ({'; '.join(about)})" if about else "")


def _base_url(value: str | None, default: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        return default
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{name}={value!r} is not an http(s) URL")
    return value.rstrip("/")


@dataclass(frozen=True)
class Response:
    """A complete, size-checked 2xx answer."""

    url: str  # after redirects
    status: int
    media_type: str  # "application/json", lower case, without parameters
    charset: str | None
    body: bytes

    def text(self, default: str = "utf-8") -> str:
        """The body decoded by its declared charset; a wrong one is the server's error, reported."""
        charset = self.charset or default
        try:
            return self.body.decode(charset)
        except LookupError:
            raise FetchError(f"{_host(self.url)} sent an unknown charset {charset!r}") from None
        except UnicodeDecodeError as err:
            raise FetchError(
                f"{_host(self.url)} sent text that is not valid {charset} (byte {err.start})"
            ) from None


class HttpClient:
    """One keep-alive connection pool with shelf's policy; use as a context manager.

    ``get`` returns a ``Response`` or raises ``FetchError``. Requests to one
    ``pace`` key (``"arxiv"``) are spaced by the given interval across calls,
    retries included.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings or FetchSettings.from_env()
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._last: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        s = self.settings
        self._client = httpx.Client(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None
            ),
            follow_redirects=False,  # followed by hand: only to http(s), each hop size-capped
            transport=transport,
            trust_env=True,  # HTTP(S)_PROXY and NO_PROXY, as users of other tools expect
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: Iterable[str],
        service: str,
        pace: tuple[str, float] | None = None,
    ) -> Response:
        """GET with retries; ``accept`` lists the media types the caller can parse.

        ``service`` names the other end in messages ("arXiv API"). ``pace`` is
        ``(key, seconds)``: a request with that key starts at least that long
        after the previous one ended, and only one runs at a time, even when
        the app fetches from several threads.
        """
        accepted = tuple(accept)
        try:
            request_url = httpx.URL(url, params=params) if params else httpx.URL(url)
        except httpx.InvalidURL as err:
            raise FetchError(f"bad URL {url!r}: {_reason(err)}") from None
        if request_url.scheme not in ("http", "https") or not request_url.host:
            raise FetchError(f"bad URL {url!r}: only http(s) URLs with a host are fetched")
        attempt = 0
        while True:
            try:
                if pace:
                    with self._pace_lock(pace[0]):
                        self._wait_turn(*pace)
                        try:
                            return self._once(request_url, accepted, service)
                        finally:
                            self._last[pace[0]] = self._clock()
                return self._once(request_url, accepted, service)
            except FetchError as err:
                if err.status not in RETRY_STATUSES or attempt >= self.settings.retries:
                    raise
                wait = err.retry_after
                if wait is None:
                    wait = self.settings.backoff * 2**attempt
                elif wait > self.settings.max_wait:
                    raise FetchError(
                        f"{service} is busy (HTTP {err.status}) and asked to wait "
                        f"{_seconds(wait)}; try again later",
                        err.status,
                    ) from None
                attempt += 1
                self._sleep(wait)

    # -- one attempt ----------------------------------------------------------------

    def _pace_lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _wait_turn(self, key: str, interval: float) -> None:
        last = self._last.get(key)
        if last is not None:
            wait = last + interval - self._clock()
            if wait > 0:
                self._sleep(wait)

    def _once(self, url: httpx.URL, accept: tuple[str, ...], service: str) -> Response:
        s = self.settings
        headers = {"Accept": ", ".join(accept) + ", */*;q=0.1"}
        deadline = time.monotonic() + s.total_timeout
        try:
            for _hop in range(s.max_redirects + 1):
                with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = _redirect_target(url, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise _status_error(response, service, self._now)
                    media_type, charset = _content_type(response)
                    if accept and media_type not in accept:
                        raise FetchError(
                            f"{service} answered with {media_type or 'no content type'},"
                            f" not {' or '.join(accept)}"
                        )
                    body = self._read(response, deadline)
                    return Response(str(url), response.status_code, media_type, charset, body)
            raise FetchError(f"{_host(str(url))}: more than {s.max_redirects} redirects")
        except httpx.ConnectTimeout:
            raise FetchError(
                f"timed out connecting to {url.host} after {_seconds(s.connect_timeout)}"
            ) from None
        except httpx.TimeoutException:
            raise FetchError(
                f"{service} ({url.host}) did not answer within {_seconds(s.read_timeout)}"
            ) from None
        except httpx.ConnectError as err:
            raise FetchError(f"cannot connect to {url.host}: {_reason(err)}") from None
        except httpx.TransportError as err:
            raise FetchError(f"{url.host}: connection failed: {_reason(err)}") from None
        except httpx.InvalidURL as err:
            raise FetchError(f"bad URL {str(url)!r}: {_reason(err)}") from None

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(_too_big(response, int(declared), cap))
        chunks: list[bytes] = []
        size = 0
        # Decoded bytes are counted, so a small gzip that inflates past the cap stops too.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise FetchError(_too_big(response, None, cap))
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{response.url.host} took longer than "
                    f"{_seconds(self.settings.total_timeout)} to send its answer"
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    try:
        target = current.join(location)
    except httpx.InvalidURL:
        raise FetchError(f"{current.host} redirected to an invalid URL {location!r}") from None
    if target.scheme not in ("http", "https"):
        raise FetchError(
            f"{current.host} redirected to a {target.scheme or 'schemeless'}: URL; only http(s) is followed"
        )
    return target


def _status_error(
    response: httpx.Response, service: str, now: Callable[[], datetime]
) -> FetchError:
    status = response.status_code
    reason = response.reason_phrase or ""
    return FetchError(
        f"{service}: HTTP {status}{' ' + reason if reason else ''}",
        status,
        retry_after(response.headers.get("retry-after"), now()),
    )


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _content_type(response: httpx.Response) -> tuple[str, str | None]:
    header = response.headers.get("content-type", "")
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return media_type.strip().lower(), charset


def _too_big(response: httpx.Response, declared: int | None, cap: int) -> str:
    size = f" ({declared / MB:.1f} MB)" if declared else ""
    return f"{response.url.host} sent more than {cap / MB:g} MB{size}; stopped reading"


def _reason(err: Exception) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    text = _ERRNO.sub("", text)
    return text[:200]


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return url


def _seconds(value: float) -> str:
    return f"{value:g} s"
