"""Digests reach leaders: each robot's format and signature, once a day, retried, masked, cut to size.

Every sender talks to a real local server (tests/robots.py, aiosmtpd); nothing
of ours is replaced. The demo ledgers give a realistic digest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from dashboard import clock, i18n
from dashboard.demo.load import load_demo
from dashboard.notify import admin, delivery, digest, messages
from dashboard.notify import channels as ch
from dashboard.settings import get_settings
from dashboard.store import storage
from dashboard.store.audit import Actor
from dashboard.store.tables import NotifyChannel, NotifyDelivery, NotifyLog
from tests.reflex_events import run
from tests.robots import Robots, serve

FAST = delivery.Options(retries=2, backoff=0.01, timeout=1.0)
SECRET = "SECtest0123456789abcdefXYZ9"
# /notify's audit rows (the demo load writes its own upload rows before them)
NOTIFY_AUDIT = sa.text(
    "SELECT action, target, \"user\", address FROM audit_log WHERE action LIKE 'notify%' ORDER BY id"
)


@pytest.fixture
def robots() -> Iterator[Robots]:
    server, robots = serve()
    yield robots
    server.shutdown()
    server.server_close()


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    load_demo(eng, clock.office_today())
    return eng


def _hooks(monkeypatch: pytest.MonkeyPatch, robots: Robots, *kinds: str, secret: str = SECRET) -> None:
    entries = []
    for kind in kinds:
        url = robots.address(kind, "key=tok3n0123456789abcdef" if kind in ("wecom", "dingtalk") else "")
        entries.append(f"{kind}={url}|{secret}" if secret and kind != "wecom" else f"{kind}={url}")
    monkeypatch.setenv("DASHBOARD_WEBHOOKS", ",".join(entries))


def _run(engine: sa.Engine, **kw: object) -> list[delivery.Result]:
    return delivery.run(engine, opts=FAST, **kw)  # type: ignore[arg-type]


def _log(engine: sa.Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(NotifyLog.__table__)).mappings()]


# ---------------------------------------------------------------------------
# each platform's format and signature


def test_wecom_gets_markdown_within_4096_bytes_and_its_reply_is_checked(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "wecom")
    [result] = _run(engine)
    assert result.status == "sent"
    [got] = robots.of("wecom")
    assert got.query["key"] == "tok3n0123456789abcdef"
    assert set(got.body) == {"msgtype", "markdown"} and got.body["msgtype"] == "markdown"
    content = got.body["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.startswith("## 党建看板每日简报") and "**主要指标**" in content and "签约率" in content
    assert "[打开看板](http://localhost:3000/)" in content


def test_dingtalk_gets_markdown_with_the_url_signed_by_its_secret(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "dingtalk")
    [result] = _run(engine)
    assert result.status == "sent"
    [got] = robots.of("dingtalk")
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"].startswith("党建看板每日简报")
    assert len(got.body["markdown"]["text"].encode()) <= 20000
    timestamp = got.query["timestamp"]
    mac = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    # parse_qs already url-decoded the sign once: it must equal the base64 of the HMAC
    assert got.query["sign"] == base64.b64encode(mac).decode()
    assert abs(int(timestamp) / 1000 - datetime.now(UTC).timestamp()) < 60
    assert got.query["key"] == "tok3n0123456789abcdef"  # the robot's own access token kept


def test_feishu_gets_a_post_with_timestamp_and_sign_in_the_body(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "feishu")
    [result] = _run(engine)
    assert result.status == "sent"
    [got] = robots.of("feishu")
    body = got.body
    assert len(got.raw) <= 20 * 1024
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"].startswith("党建看板每日简报")
    assert all(isinstance(p, list) and p for p in post["content"])
    links = [el for p in post["content"] for el in p if el["tag"] == "a"]
    assert links and all(el["href"].startswith("http://localhost:3000/") for el in links)
    key = f"{body['timestamp']}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_the_json_webhook_gets_the_language_free_digest_signed_in_headers(
    engine, robots, monkeypatch
) -> None:
    _hooks(monkeypatch, robots, "json")
    [result] = _run(engine)
    assert result.status == "sent"
    [got] = robots.of("json")
    ts, signature = got.headers["x-dashboard-timestamp"], got.headers["x-dashboard-signature"]
    expected = hmac.new(SECRET.encode(), f"{ts}.".encode() + got.raw, hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"
    body = got.body
    assert body["type"] == "dashboard.digest" and body["version"] == 1 and body["lang"] == "zh"
    sections = {s["id"]: s for s in body["digest"]["sections"]}
    assert {"warnings", "kpis", "ledgers"} <= set(sections)
    kpi = {i["id"]: i for i in sections["kpis"]["items"]}
    assert kpi["signed_rate"]["unit"] == "pct" and 0 < kpi["signed_rate"]["value"] <= 1
    assert all(w["link"].startswith("/") and w["rule"] for w in sections["warnings"]["items"])


def test_a_platform_error_code_in_the_reply_is_a_failed_delivery_with_its_reason(
    engine, robots, monkeypatch
) -> None:
    _hooks(monkeypatch, robots, "wecom")
    robots.then("wecom", {"errcode": -1, "errmsg": "system busy"}, {"errcode": -1, "errmsg": "system busy"})
    [result] = _run(engine)
    assert result.status == "failed" and result.reason == "errcode -1: system busy"
    assert [(r["ok"], r["attempt"]) for r in _log(engine)] == [(False, 1), (False, 2)]


# ---------------------------------------------------------------------------
# once a day, retries, nothing lost


def test_a_second_send_the_same_day_sends_nothing_and_force_sends_again(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "wecom", "dingtalk")
    assert [r.status for r in _run(engine)] == ["sent", "sent"]
    assert [r.status for r in _run(engine)] == ["already_sent", "already_sent"]
    assert len(robots.of("wecom")) == len(robots.of("dingtalk")) == 1
    assert [r.status for r in _run(engine, force=True)] == ["sent", "sent"]
    assert len(robots.of("wecom")) == 2


def test_a_robot_answering_500_is_retried_recorded_and_the_next_run_sends_it_once(
    engine, robots, monkeypatch
) -> None:
    _hooks(monkeypatch, robots, "wecom", "feishu")
    robots.then("wecom", 500, 500)  # both attempts of this run fail
    results = {r.channel.split(":")[0]: r for r in _run(engine)}
    assert results["wecom"].status == "failed" and results["wecom"].reason == "HTTP 500"
    assert results["feishu"].status == "sent"
    failed = [r for r in _log(engine) if not r["ok"]]
    assert [r["reason"] for r in failed] == ["HTTP 500", "HTTP 500"]
    later = _run(engine)  # the next run: the missed one goes out, the sent one does not repeat
    assert sorted(r.status for r in later) == ["already_sent", "sent"]
    assert len(robots.of("wecom")) == 1 and len(robots.of("feishu")) == 1
    assert robots.of("wecom")[0].body == robots.of("wecom", delivered=False)[0].body  # the same frozen digest


def test_a_digest_that_failed_yesterday_is_sent_the_next_day(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "dingtalk")
    robots.then("dingtalk", 503, 503)
    yesterday = clock.office_today() - timedelta(days=1)
    [result] = _run(engine, today=yesterday)
    assert result.status == "failed" and result.reason == "HTTP 503"
    results = _run(engine)  # today's run sends yesterday's missed digest first, then today's
    assert [(r.day, r.status) for r in results] == [
        (yesterday.isoformat(), "sent"),
        (clock.office_today().isoformat(), "sent"),
    ]
    titles = [r.body["markdown"]["title"] for r in robots.of("dingtalk")]
    assert titles[0].endswith(f"{yesterday.month}月{yesterday.day}日")


def test_two_workers_at_the_digest_time_send_once(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "wecom", "json")
    start = threading.Barrier(4)
    results: list[delivery.Result] = []

    def worker() -> None:
        start.wait()
        results.extend(_run(engine, respect_backoff=True))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(robots.of("wecom")) == 1 and len(robots.of("json")) == 1
    assert sorted(r.status for r in results).count("sent") == 2
    with engine.connect() as conn:
        rows = conn.execute(sa.select(NotifyDelivery.__table__)).mappings().all()
    assert sorted(r["status"] for r in rows) == ["sent", "sent"]


def test_a_split_message_resumes_after_the_parts_already_delivered() -> None:
    msg = _long_message(400)
    channel = ch.Channel("wecom", "http://127.0.0.1/wecom")
    parts = ch.pack(channel, msg)
    assert len(parts) == ch.MAX_PARTS
    assert all(ch.measured(channel, p) <= 4096 for p in parts)
    titles = [p["markdown"]["content"].splitlines()[0] for p in parts]
    assert titles == [f"## 简报（{i}/3）" for i in (1, 2, 3)]
    last = parts[-1]["markdown"]["content"]
    assert "……另有" in last and "详见看板](http://localhost:3000/)" in last


# ---------------------------------------------------------------------------
# size, masking, secrets, language


def _long_message(n: int) -> messages.Message:
    msg = messages.Message(title="简报", lang="zh", link="http://localhost:3000/")
    msg.blocks.append(
        messages.Block(
            "预警",
            [messages.Line(f"第 {i} 条：节点逾期 · 很长的说明文字" * 2, "http://x/d") for i in range(n)],
        )
    )
    return msg


def test_a_long_digest_fits_each_platform_and_says_how_many_lines_are_on_the_board() -> None:
    msg = _long_message(2000)
    for kind in ("wecom", "dingtalk", "feishu"):
        channel = ch.Channel(kind, f"http://127.0.0.1/{kind}")
        parts = ch.pack(channel, msg)
        assert 1 <= len(parts) <= ch.MAX_PARTS
        assert all(ch.measured(channel, p) <= ch.LIMITS[kind] for p in parts)
        shown = json.dumps(parts, ensure_ascii=False).count("节点逾期") // 2  # each line says it twice
        dropped = int(json.dumps(parts[-1], ensure_ascii=False).split("……另有 ")[1].split(" 条")[0])
        assert shown + dropped == 2000


def test_household_names_are_masked_in_every_message(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "wecom", "dingtalk", "feishu", "json")
    _run(engine)
    households = set(storage.load_current(engine, "demolition")["household"])
    everything = "".join(r.raw.decode() for r in robots.received)
    assert "新签约" in everything and "**（" in everything  # the newly signed are listed, masked
    leaked = {h for h in households if len(h) > 1 and h in everything}
    assert leaked == set()


def test_secrets_are_never_logged_nor_shown_back(engine, robots, monkeypatch, caplog) -> None:
    _hooks(monkeypatch, robots, "dingtalk", "feishu")
    robots.then("dingtalk", 500, 500)
    with caplog.at_level(logging.INFO):
        _run(engine)
    assert "digest to" in caplog.text  # the failure is logged, with the address masked
    assert SECRET not in caplog.text and "tok3n0123456789abcdef" not in caplog.text
    channels, _ = delivery.configured(engine, get_settings())
    shown = " ".join(c.masked for c in channels) + json.dumps(_log(engine), default=str)
    assert SECRET not in shown and "tok3n0123456789abcdef" not in shown
    assert "key=…cdef" in shown
    assert ch.mask(SECRET) == "…XYZ9"
    assert ch.mask_url("smtp://mail%40x.cn:pa55word@smtp.x.cn:587") == "smtp://mail@x.cn@smtp.x.cn:587"


def test_the_digest_is_written_in_english_when_configured(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "feishu", secret="")
    monkeypatch.setenv("DASHBOARD_DIGEST_LANG", "en")
    _run(engine)
    body = robots.of("feishu")[0].body
    post = body["content"]["post"]["en_us"]
    assert post["title"].startswith("Party-building daily digest")
    text = json.dumps(post, ensure_ascii=False)
    assert "Signed rate" in text or "signed" in text.lower()
    assert "timestamp" not in body  # no secret, no signature


# ---------------------------------------------------------------------------
# what the digest says


def test_the_digest_counts_changes_since_the_previous_digest(engine, robots, monkeypatch) -> None:
    today = clock.office_today()
    first = delivery.freeze(engine, today - timedelta(days=1))
    assert first.previous_day is None
    second = digest.compute(engine, today, first)
    assert second.previous_day == first.office_day
    warnings = second.section("warnings")
    assert warnings is not None and warnings.items
    # nothing changed in the data; only 督办 deadlines come a day closer (a due-soon item may be new)
    assert not any(w["new"] for w in warnings.items if w["board"] != "tasks")
    kpis = {i["id"]: i for i in second.section("kpis").items}  # type: ignore[union-attr]
    assert kpis["signed_rate"]["delta"] == 0 and kpis["signed_rate"]["previous"] is not None
    ledgers = second.section("ledgers")
    assert ledgers is not None and all(i["updates"] == 0 for i in ledgers.items)
    signed = second.section("signed")
    assert signed is not None and signed.total == 0  # nobody signed since the previous digest
    text = messages.render(second, "zh", "http://localhost:3000").plain()
    assert "仍未处理" in text and "与上次持平" in text and "自上次简报以来没有台账更新" in text


def test_the_server_is_due_once_the_office_clock_passes_digest_at(monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_DIGEST_AT", "08:30")
    settings = get_settings()
    at = datetime(2026, 12, 2, 8, 29, tzinfo=clock.OFFICE_TZ)
    assert not delivery.due(settings, at)
    assert delivery.due(settings, at + timedelta(minutes=1))
    # 00:30 UTC is 08:30 in the office: the server's own zone does not matter
    assert delivery.due(settings, datetime(2026, 12, 2, 0, 30, tzinfo=UTC))
    monkeypatch.setenv("DASHBOARD_DIGEST_AT", "")
    assert not delivery.due(get_settings(), at)


def test_webhook_configuration_mistakes_are_reported_by_id_with_the_address_masked() -> None:
    got, problems = ch.parse_webhooks(
        "wecom=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd1234,"
        "slack=https://hooks.example/x?token=secret99,feishu=ftp://x/y"
    )
    assert [c.kind for c in got] == ["wecom"]
    assert [(p.id, p.entry) for p in problems] == [
        ("notify.webhook_kind", "https://hooks.example/x?token=…et99"),
        ("notify.webhook_url", "ftp://x/y"),
    ]
    assert urllib.parse.urlsplit(got[0].target).query == "key=abcd1234"


# ---------------------------------------------------------------------------
# channels an admin adds on /notify, the test button


def test_an_admin_channel_is_checked_stored_audited_and_gets_the_next_digest(
    engine, robots, monkeypatch
) -> None:
    monkeypatch.setenv("DASHBOARD_WEBHOOKS", "")
    who = Actor("admin", "10.0.0.7")
    with pytest.raises(admin.ChannelError) as bad:
        admin.add(engine, admin.NewChannel("feishu", "ftp://nowhere"), who)
    assert bad.value.id == "url"
    with pytest.raises(admin.ChannelError) as bad:
        admin.add(engine, admin.NewChannel("email", "smtp://127.0.0.1:1", recipients=""), who)
    assert bad.value.id == "recipients"
    url = robots.address("feishu") + "/hook/0123456789abcdefghij"
    admin.add(engine, admin.NewChannel("feishu", url, secret=SECRET, label="党工委群"), who)
    [channel] = delivery.admin_channels(engine)
    assert channel.masked.endswith("/hook/…ghij") and channel.label == "党工委群"
    with engine.connect() as conn:
        audit = conn.execute(NOTIFY_AUDIT).all()
    assert [(a, u, addr) for a, _, u, addr in audit] == [("notify_channel_add", "admin", "10.0.0.7")]
    assert SECRET not in audit[0][1] and "0123456789abcdefghij" not in audit[0][1]
    [result] = _run(engine)
    assert result.status == "sent" and len(robots.of("feishu")) == 1
    admin.set_enabled(engine, channel.id, False, who)  # type: ignore[arg-type]
    assert delivery.configured(engine)[0] == []


def test_a_channel_change_and_its_audit_row_commit_together_or_not_at_all(engine) -> None:
    who = Actor("admin", "10.0.0.7")
    admin.add(engine, admin.NewChannel("wecom", "https://qyapi.example.cn/send?key=k3y0123456789"), who)
    [channel] = delivery.admin_channels(engine)
    admin.remove(engine, channel.id, who)  # type: ignore[arg-type]
    with pytest.raises(admin.ChannelError) as gone:  # removed already: nothing changes, nothing is audited
        admin.set_enabled(engine, channel.id, True, who)  # type: ignore[arg-type]
    assert gone.value.id == "missing"
    with engine.connect() as conn:
        actions = [row.action for row in conn.execute(NOTIFY_AUDIT)]
    assert actions == ["notify_channel_add", "notify_channel_remove"]
    assert delivery.admin_channels(engine) == []


def test_the_test_send_reaches_the_robot_without_taking_the_days_lease(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "dingtalk")
    [channel], _ = delivery.configured(engine)
    assert delivery.test_send(engine, channel).ok
    body = robots.of("dingtalk")[0].body
    assert body["markdown"]["title"] == "党建看板测试消息"
    [entry] = _log(engine)
    assert entry["test"] and entry["ok"]
    assert [r.status for r in _run(engine)] == ["sent"]  # today's digest still goes out


# ---------------------------------------------------------------------------
# the command line


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        capture_output=True,
        env=os.environ | {"PYTHONIOENCODING": "utf-8"},
        encoding="utf-8",
        timeout=300,
    )


def test_digest_prints_and_sends_nothing_then_send_sends_once_a_day(sqlite_url, robots, monkeypatch) -> None:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    load_demo(eng, clock.office_today())
    _hooks(monkeypatch, robots, "wecom")
    shown = _cli("digest")
    assert shown.returncode == 0 and "党建看板每日简报" in shown.stdout and "【主要指标】" in shown.stdout
    assert robots.received == []
    as_json = _cli("digest", "--json")
    assert json.loads(as_json.stdout)["sections"][0]["id"] == "warnings"
    sent = _cli("digest", "--send")
    assert (
        sent.returncode == 0 and "已发送 / sent" in sent.stdout and "tok3n0123456789abcdef" not in sent.stdout
    )
    again = _cli("digest", "--send", "--json")
    assert [r["status"] for r in json.loads(again.stdout)] == ["already_sent"]
    assert len(robots.of("wecom")) == 1
    assert _cli("digest", "--send", "--force").returncode == 0
    assert len(robots.of("wecom")) == 2


def test_two_processes_at_the_digest_time_send_once(db_url, robots, monkeypatch) -> None:
    eng = storage.make_engine(db_url)
    storage.migrate(eng)
    load_demo(eng, clock.office_today())
    _hooks(monkeypatch, robots, "wecom", "feishu")
    env = os.environ | {"PYTHONIOENCODING": "utf-8"}
    procs = [
        subprocess.Popen([sys.executable, "-m", "dashboard", "digest", "--send", "--json"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8")
        for _ in range(2)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    statuses = sorted(r["status"] for out in outputs for r in json.loads(out))
    assert statuses.count("sent") == 2 and len(statuses) == 4
    assert len(robots.of("wecom")) == 1 and len(robots.of("feishu")) == 1


def test_report_writes_a_word_file_and_refuses_a_bad_date(sqlite_url, tmp_path) -> None:
    eng = storage.make_engine(sqlite_url)
    storage.migrate(eng)
    load_demo(eng, clock.office_today())
    out = tmp_path / "周报.docx"
    done = _cli("report", "--no-charts", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:2] == b"PK"
    html_out = tmp_path / "r.html"
    assert (
        _cli("report", "--format", "html", "--lang", "en", "--no-charts", "-o", str(html_out)).returncode == 0
    )
    assert "Party-building weekly report" in html_out.read_text(encoding="utf-8")
    bad = _cli("report", "--week-ending", "2026/13/01", "-o", str(out))
    assert bad.returncode == 2 and "2026-12-04" in bad.stderr


def test_the_servers_digest_clock_sends_once_at_digest_at_however_many_workers_check(
    engine, robots, monkeypatch
) -> None:
    import asyncio

    from dashboard.state import notify as clock_task

    _hooks(monkeypatch, robots, "wecom")
    monkeypatch.setenv("DASHBOARD_DIGEST_AT", "00:00")  # already past, whatever the office time
    monkeypatch.setattr(clock_task, "CHECK_SECONDS", 0.1)

    async def two_workers() -> None:
        tasks = [asyncio.create_task(clock_task.schedule(None)) for _ in range(2)]  # type: ignore[arg-type]
        for _ in range(300):
            await asyncio.sleep(0.1)
            if robots.of("wecom"):
                break
        await asyncio.sleep(1.0)  # several more checks by both
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    run(two_workers())
    assert len(robots.of("wecom")) == 1


# ---------------------------------------------------------------------------
# the 督办 section (issue 10 / 13)


def test_the_digest_lists_overdue_tasks_longest_first_new_since_the_previous_digest(engine) -> None:
    today = clock.office_today()
    first = digest.compute(engine, today)
    section = first.section("overdue_tasks")
    assert section is not None and len(section.items) == min(section.total, digest.OVERDUE_LIST) > 0
    days = [i["days"] for i in section.items]
    assert days == sorted(days, reverse=True) and all(d >= 1 for d in days)
    assert all(i["new"] and i["owner"].startswith("责任人") for i in section.items)  # staff: not masked
    # each overdue item is one line of its own section, not a line of the warnings too
    rules = {w["rule"] for w in first.section("warnings").items}  # type: ignore[union-attr]
    assert not rules & digest.PER_ITEM_TASK_RULES
    again = digest.compute(engine, today, first)
    assert not any(i["new"] for i in again.section("overdue_tasks").items)  # type: ignore[union-attr]
    text = messages.render(first, "zh", "http://localhost:3000").plain()
    assert f"超期督办事项：{section.total} 项" in text
    assert f"新增 · {section.items[0]['title']} · {section.items[0]['owner']}" in text
    assert "http://localhost:3000/tasks" in text
    # a figure's warning quotes its figure in the reader's language, never its id
    # (tests/test_figures_agree.py: the demo's items raised this morning no longer trip it)
    assert "tasks_same_day_rate" not in text
    assert "Closed the same day" in messages.render(first, "en", "http://localhost:3000").plain()
    # the organisations behind on 组织生活 are their own section's lines, not warnings as well
    assert "org_life_missing" not in rules and first.section("org_life") is not None
    en = messages.render(again, "en", "http://localhost:3000").plain()
    assert f"Overdue follow-up items: {section.total}" in en and "days overdue" in en


def test_beyond_the_list_the_overdue_tasks_are_counted_with_a_link() -> None:
    items = [
        {"task_code": f"T{i}", "title": f"事项{i}", "owner": "责任人甲", "unit": "", "deadline": "2026-06-01",
         "days": 30 - i, "new": False}
        for i in range(digest.OVERDUE_LIST)
    ]  # fmt: skip
    block = messages.RENDERERS["overdue_tasks"](
        digest.Section("overdue_tasks", items, digest.OVERDUE_LIST + 5), "en", "http://h"
    )
    assert block is not None and len(block.lines) == digest.OVERDUE_LIST + 1
    assert block.lines[0].text == "Open · 事项0 · 责任人甲 · — · 30 days overdue"
    assert (block.lines[-1].text, block.lines[-1].href) == ("5 more on the dashboard", "http://h/tasks")
    assert messages.RENDERERS["overdue_tasks"](digest.Section("overdue_tasks"), "zh", "http://h") is None


# ---------------------------------------------------------------------------
# probe 2: a bad address, sizes as sent, markdown from ledger text, lost answers, refusals

BAD_PORT = "https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=badp0rt0123456789abcdef"


def test_an_address_with_an_impossible_port_is_refused_where_channels_are_configured(sqlite_url) -> None:
    assert ch.mask_url(BAD_PORT) == "https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=…cdef"
    for odd in ("http://[::1/x?key=abcdef0123", "https://h:８０/x?key=abcdef0123", "https://u:pw@h:-1/x"):
        shown = ch.mask_url(odd)  # never raises: it names channels in errors and logs
        assert "abcdef0123" not in shown and "pw" not in shown
    dingtalk = "https://oapi.dingtalk.com:65536/robot/send?access_token=t0ken0123456789abcd"
    got, problems = ch.parse_webhooks(f"wecom={BAD_PORT},dingtalk={dingtalk}|{SECRET}")
    assert got == []
    assert [(p.id, p.entry) for p in problems] == [
        ("notify.webhook_port", "wecom=https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=…cdef"),
        ("notify.webhook_port", "dingtalk=https://oapi.dingtalk.com:65536/robot/send?access_token=…abcd"),
    ]
    assert ch.email_channel("smtps://u:pw@smtp.x.cn:70000", ["a@x.cn"])[1][0].id == "notify.smtp_port"
    with pytest.raises(admin.ChannelError) as bad:  # the /notify form
        admin.check(admin.NewChannel("wecom", BAD_PORT))
    zh, en = i18n.both(f"notify.bad.{bad.value.id}", **bad.value.params)
    assert bad.value.id == "port" and "企业微信" in zh and "WeCom" in en
    assert "qyapi.weixin.qq.com:99999" in zh and "badp0rt" not in zh + en
    with pytest.raises(admin.ChannelError) as bad:
        admin.check(admin.NewChannel("email", "smtps://u:pw@smtp.x.cn:70000", recipients="a@x.cn"))
    assert bad.value.id == "port" and "邮件" in i18n.t("notify.bad.port", "zh", **bad.value.params)
    # the command line says which entry, in both languages, instead of a traceback
    storage.migrate(storage.make_engine(sqlite_url))
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "digest", "--send"],
        capture_output=True,
        env=os.environ | {"PYTHONIOENCODING": "utf-8", "DASHBOARD_WEBHOOKS": f"wecom={BAD_PORT}"},
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "端口无效" in done.stderr and "invalid port" in done.stderr
    assert "wecom=https://qyapi.weixin.qq.com:99999/" in done.stderr and "badp0rt" not in done.stderr


def test_one_channels_failure_of_any_kind_never_stops_the_others(engine, robots, monkeypatch, caplog) -> None:
    _hooks(monkeypatch, robots, "wecom")
    # stored before addresses were checked (a port out of range), and a kind this version does not know
    slack = "https://hooks.example/x?token=sl4ck0123456789abcd"
    with engine.begin() as conn:
        for kind, target in (("wecom", BAD_PORT), ("slack", slack)):
            conn.execute(
                sa.insert(NotifyChannel.__table__).values(
                    kind=kind, target=target, secret=SECRET, recipients="", label="", enabled=True,
                    created_at=datetime.now(UTC), created_by="admin",
                )
            )  # fmt: skip
    with caplog.at_level(logging.INFO):
        results = _run(engine)
    assert [(r.status, r.reason) for r in results] == [
        ("sent", ""),
        ("refused", "invalid address (port)"),
        ("failed", "internal error: KeyError"),
    ]
    assert len(robots.of("wecom")) == 1
    logged = {(r["target"], r["ok"], r["reason"]) for r in _log(engine)}
    assert ("https://hooks.example/x?token=…abcd", False, "internal error: KeyError") in logged
    assert "KeyError" in caplog.text  # the bug's traceback is in the log, masked
    for secret in ("badp0rt0123456789abcdef", "sl4ck0123456789abcd", SECRET):
        assert secret not in caplog.text and secret not in json.dumps(_log(engine), default=str)
    with engine.connect() as conn:
        statuses = sorted(r.status for r in conn.execute(sa.select(NotifyDelivery.__table__)))
    assert statuses == ["failed", "refused", "sent"]  # none left "sending" until its lease runs out


def _random_digest(rng: random.Random) -> messages.Message:
    msg = messages.Message(title="党建看板每日简报 · 2026年12月7日", lang="zh", link="http://localhost:3000/")
    lines = [
        messages.Line(f"示例村{i:02d}党支部：" + "未召开支委会" * rng.randint(1, 12),
                      "http://localhost:3000/org-life" if i % 2 else "")
        for i in range(rng.randint(50, 400))
    ]  # fmt: skip
    msg.blocks.append(messages.Block("组织生活落后的党组织", lines))
    return msg


def test_every_part_fits_its_platform_as_sent_signature_included(robots) -> None:
    rng = random.Random(1)
    for _ in range(30):
        msg = _random_digest(rng)
        for kind in ("wecom", "dingtalk", "feishu"):
            channel = ch.Channel(kind, robots.address(kind), secret="" if kind == "wecom" else SECRET)
            assert all(ch.post(channel, part, 5.0).ok for part in ch.pack(channel, msg))
    feishu = [len(r.raw) for r in robots.of("feishu")]
    assert all("sign" in r.body and "timestamp" in r.body for r in robots.of("feishu"))
    assert max(feishu) <= 20 * 1024 - ch.MARGIN["feishu"]  # the body as sent, sign and all
    assert max(feishu) > 20 * 1024 - ch.MARGIN["feishu"] - 400  # packed close to it, not far under
    assert max(len(r.raw) for r in robots.of("dingtalk")) <= 20000
    assert max(len(r.body["markdown"]["content"].encode()) for r in robots.of("wecom")) == 4096


# a 督办 title as staff typed it in Excel (Alt+Enter before the heading)
NASTY = '核实补偿[请点此登记](http://evil.example/phish)\n## 紧急通知：所有户今日签约 <font color="info">`x`'


def test_ledger_text_reads_as_typed_in_markdown_never_as_links_headings_or_tags() -> None:
    unit = "第[一]支部\r\n> 引用\n- 列表"
    tasks = [{"task_code": "T1", "title": NASTY, "owner": "责任人*甲*_乙_", "unit": unit,
              "deadline": "2026-06-01", "days": 3, "new": True}]  # fmt: skip
    terms = [{"org_name": "# 假支部", "term_end": "2026-12-20", "days": 5}]
    msg = messages.Message(title="简报", lang="zh", link="http://localhost:3000/")
    for section in (digest.Section("overdue_tasks", tasks, 1), digest.Section("terms", terms, 1)):
        block = messages.RENDERERS[section.id](section, "zh", "http://localhost:3000")
        assert block is not None
        msg.blocks.append(block)
    msg.outro.append(messages.Line("打开看板", "http://localhost:3000/"))
    for kind in ("wecom", "dingtalk"):
        [part] = ch.pack(ch.Channel(kind, "http://127.0.0.1/x"), msg)
        text = part["markdown"]["content" if kind == "wecom" else "text"]
        links = re.findall(r"\[([^\]]*)\]\(([^)]*)\)", text)
        assert [href for _, href in links] == ["http://localhost:3000/elections", "http://localhost:3000/"]
        lines = [x for x in text.splitlines() if x]
        assert [x for x in lines if x.lstrip().startswith(("#", ">", "-"))] == [lines[0]]  # the title only
        tags = text.count("<font")
        assert tags == text.count("</font>") == (2 if kind == "wecom" else 0)  # ours: a red and a yellow line
        assert "核实补偿［请点此登记］(http://evil.example/phish) ＃＃ 紧急通知：所有户今日签约" in text
        assert "责任人＊甲＊＿乙＿ · 第［一］支部 ＞ 引用 - 列表" in text and "＃ 假支部" in text
        assert text.count("**") == 4  # the two headings' bold, nothing from the data
    # 飞书 (text elements) and the email (HTML-escaped) show the text as it is
    feishu = ch.pack(ch.Channel("feishu", "http://127.0.0.1/x"), msg)[0]
    assert NASTY.split("\n")[0] in json.dumps(feishu, ensure_ascii=False)


def test_a_robot_that_takes_the_message_but_answers_late_gets_it_once(
    engine, robots, monkeypatch, caplog
) -> None:
    _hooks(monkeypatch, robots, "wecom")
    robots.hang_seconds = 2.0  # FAST gives up after 1 s
    robots.then("wecom", "slow")
    with caplog.at_level(logging.WARNING):
        [result] = _run(engine)
    assert (result.status, result.reason) == ("maybe_delivered", "timeout after sending")
    assert [(r["ok"], r["attempt"]) for r in _log(engine)] == [(False, 1)]  # not sent again in the run
    assert "may have arrived" in caplog.text and "Check the group" in caplog.text
    # neither the server's later checks nor digest --send send it again; --force does
    assert [r.status for r in _run(engine, respect_backoff=True)] == ["maybe_delivered"]
    assert [r.status for r in _run(engine)] == ["maybe_delivered"]
    assert len(robots.received) == 1
    assert [r.status for r in _run(engine, force=True)] == ["sent"]
    assert len(robots.of("wecom")) == 2


def test_a_robot_that_cannot_be_reached_is_tried_again_as_nothing_was_sent(engine, monkeypatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DASHBOARD_WEBHOOKS", f"wecom=http://127.0.0.1:{port}/wecom?key=tok3n0123456789abcdef")
    [result] = _run(engine)
    assert result.status == "failed" and result.reason.startswith("ConnectError")
    assert [r["attempt"] for r in _log(engine)] == [1, 2]
    with engine.connect() as conn:
        [row] = conn.execute(sa.select(NotifyDelivery.__table__)).mappings().all()
    assert row["status"] == "failed" and row["next_try_at"] is not None  # and again at the next check


def test_a_message_the_platform_refuses_as_configured_is_not_retried_until_fixed(
    engine, robots, monkeypatch, caplog
) -> None:
    _hooks(monkeypatch, robots, "wecom", "dingtalk", "feishu", "json")
    robots.then("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"})
    robots.then("dingtalk", {"errcode": 310000, "errmsg": "sign not match"})
    robots.then("feishu", (400, {"code": 9499, "msg": "Bad Request", "data": {}}))
    robots.then("json", 302)
    with caplog.at_level(logging.INFO):
        results = _run(engine)
    assert [(r.status, r.reason) for r in results] == [
        ("refused", "errcode 93000: invalid webhook url"),
        ("refused", "errcode 310000: sign not match"),
        ("refused", "HTTP 400 · errcode 9499: Bad Request"),  # a non-2xx reply keeps its code and message
        ("refused", "HTTP 302"),
    ]
    assert [r["attempt"] for r in _log(engine)] == [1, 1, 1, 1] and len(robots.received) == 4
    assert [r.status for r in _run(engine, respect_backoff=True)] == ["refused"] * 4  # the server leaves them
    assert len(robots.received) == 4
    wecom = delivery.configured(engine)[0][0]
    assert delivery.test_send(engine, wecom).ok  # the admin fixed the address and sent a test
    assert [r.status for r in _run(engine, respect_backoff=True)] == ["sent", "refused", "refused", "refused"]
    assert [r.status for r in _run(engine)] == ["already_sent", "sent", "sent", "sent"]  # digest --send
    assert SECRET not in caplog.text and "tok3n0123456789abcdef" not in caplog.text


def test_a_rate_limited_message_waits_for_the_next_minute_then_goes(engine, robots, monkeypatch) -> None:
    _hooks(monkeypatch, robots, "wecom", "feishu")
    robots.then("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"})
    robots.then("feishu", (429, {"code": 11232, "msg": "frequency limited"}))
    assert delivery.RATE_LIMIT_SECONDS > 60  # the robots count per minute
    opts = delivery.Options(retries=2, backoff=0.01, timeout=1.0, rate_wait=0.5)
    started = time.monotonic()
    results = delivery.run(engine, opts=opts)
    assert [r.status for r in results] == ["sent", "sent"]
    assert time.monotonic() - started >= 2 * opts.rate_wait  # not the 0.01 s backoff
    assert [r["reason"] for r in _log(engine) if not r["ok"]] == [
        "errcode 45009: api freq out of limit",
        "HTTP 429 · errcode 11232: frequency limited",
    ]
