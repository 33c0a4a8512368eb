"""A tab package as a third party would write one: the "Toy jobs" tab of a made-up job queue.

It uses only tasktop's public pieces for a provider (tui.tabs.spec, tui.tabs.cells, a
tui.providers ProviderClient and TaskSource) and is found through its dist-info's
`tasktop.tabs` entry point, like tasktop's own tabs. Its key: TASKTOP_TOY_API_KEY; its URL:
TASKTOP_TOY_URL (toytab.server is the fake queue the tests run it against).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.providers.base import Page, PageInfo, PageRequest
from tui.providers.client import ProviderClient
from tui.providers.sources import Detail, Row, TaskSource
from tui.tabs.cells import cell, literal, plain, status_text, time_field, when
from tui.tabs.spec import CliColumn, Column, DetailView, Provider, TabSpec


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    state: str
    title: str
    created_at: str
    log: str = ""


def _job(obj: Any) -> Job:
    return Job(str(obj["id"]), str(obj["state"]), str(obj["title"]), str(obj["created_at"]),
               str(obj.get("log", "")))


class ToyClient(ProviderClient):
    provider = "toy"
    default_url = "https://toy.invalid"
    auth_header = "X-Toy-Key"

    async def list_jobs(self, request: PageRequest | None = None) -> Page[Job]:
        request = request or PageRequest()
        params: dict[str, str | int] = {"page": request.page, "per_page": request.per_page}
        if request.status:
            params["state"] = request.status
        obj = await self.http.get_json("/jobs", params=params)
        total = int(obj["total"])
        pages = max(1, -(-total // request.per_page))
        paging = PageInfo(kind="number", page=request.page, per_page=request.per_page,
                          total_count=total, total_pages=pages, has_next=request.page < pages,
                          has_previous=request.page > 1)
        return Page([_job(job) for job in obj["jobs"]], paging, request)

    async def get_job(self, job_id: str) -> Job:
        return _job(await self.http.get_json(f"/jobs/{job_id}"))


class JobsSource(TaskSource):
    filters = (None, "queued", "running", "done")

    def __init__(self, client: ToyClient) -> None:
        self.client = client

    async def fetch(self, request: PageRequest) -> Page[Row]:
        page = await self.client.list_jobs(request)
        return replace(page, rows=[Row(job.id, job.state, job) for job in page.rows])

    async def detail(self, row: Row) -> Detail:
        return Detail(await self.client.get_job(row.key), row)


def cells(row: Row, now: datetime) -> list[Text]:
    job: Job = row.record
    return [status_text(job.state), cell(job.title), when(job.created_at, now), cell(job.id)]


def detail(detail: Detail, now: datetime) -> DetailView:
    job: Job = detail.record
    fields = [("state", status_text(job.state)), ("job id", literal(job.id)),
              time_field("created", job.created_at, now)]
    return DetailView(job.title, fields, [("log", job.log)])


TOY = Provider(
    name="toy",
    title="Toy jobs",
    key_env="TASKTOP_TOY_API_KEY",
    client=lambda url, key, timeout: ToyClient(url, key, timeout=timeout),
    default_url=ToyClient.default_url,
    url_env="TASKTOP_TOY_URL",
)

SPEC = TabSpec(
    id="toy",
    title="Toy jobs",
    provider=TOY,
    source=JobsSource,
    columns=(
        Column("state", "State", min_width=7),
        Column("title", "Title", min_width=10),
        Column("created", "Created", min_width=7, priority=2),
        Column("id", "Job ID", id_like=True),
    ),
    cells=cells,
    detail=detail,
    cli_columns=(
        CliColumn("STATE", lambda job: plain(job.state), 10),
        CliColumn("TITLE", lambda job: plain(job.title), 40),
        CliColumn("JOB ID", lambda job: plain(job.id)),
    ),
    filters=JobsSource.filters,
)
