"""Fair turns at the workers, one step at a time: who a free worker serves next."""

from __future__ import annotations

from dataclasses import dataclass

from handouts.render.turns import Turns


@dataclass(eq=False)
class Job:
    name: str
    cancelled: bool = False


def turns() -> Turns[Job]:
    return Turns(lambda job: not job.cancelled)


def take_name(line: Turns[Job]) -> str:
    taken = line.take()
    assert taken is not None
    return taken[1].name


def test_a_second_session_s_job_runs_before_the_first_session_s_queued_ones() -> None:
    line = turns()
    for n in range(60):
        line.put("flood", Job(f"flood-{n}"))
    line.put("desk", Job("desk-0"))
    # One worker: the flood's first job, then the desk's, then the flood's again.
    assert take_name(line) == "flood-0"
    line.done("flood")
    assert take_name(line) == "desk-0"
    line.done("desk")
    assert [take_name(line) for _ in range(3)] == ["flood-1", "flood-2", "flood-3"]


def test_no_second_worker_for_a_session_while_another_waits() -> None:
    line = turns()
    line.put("flood", Job("flood-0"))
    line.put("flood", Job("flood-1"))
    assert take_name(line) == "flood-0"  # worker 1
    line.put("flood", Job("flood-2"))
    line.put("desk", Job("desk-0"))  # arrives after the flood's queued ones
    assert take_name(line) == "desk-0"  # worker 2: the desk, though it came last
    assert line.running("flood") == 1 and line.running("desk") == 1


def test_a_session_alone_may_use_every_worker() -> None:
    line = turns()
    for n in range(3):
        line.put("flood", Job(f"flood-{n}"))
    assert [take_name(line) for _ in range(3)] == ["flood-0", "flood-1", "flood-2"]
    assert line.running("flood") == 3
    assert line.take() is None


def test_sessions_with_equal_running_take_turns_in_order_of_their_last_turn() -> None:
    line = turns()
    for who in ("a", "b", "c"):
        line.put(who, Job(f"{who}-0"))
        line.put(who, Job(f"{who}-1"))
    order = []
    for _ in range(6):
        taken = line.take()
        assert taken is not None
        order.append(taken[1].name)
        line.done(taken[0])
    assert order == ["a-0", "b-0", "c-0", "a-1", "b-1", "c-1"]


def test_cancelled_jobs_are_skipped_and_not_counted() -> None:
    line = turns()
    gone = Job("a-0")
    line.put("a", gone)
    line.put("b", Job("b-0"))
    gone.cancelled = True
    assert len(line) == 1
    assert line.waiting("a") == []
    assert take_name(line) == "b-0"
    assert line.take() is None
    assert line.running("a") == 0


def test_jobs_without_a_session_keep_their_order() -> None:
    line = turns()
    for n in range(4):
        line.put(None, Job(f"row-{n}"))
    names = []
    for _ in range(4):
        names.append(take_name(line))
        line.done(None)
    assert names == ["row-0", "row-1", "row-2", "row-3"]


def test_a_session_whose_line_ran_empty_while_it_ran_is_not_new() -> None:
    line = turns()
    line.put("flood", Job("flood-0"))
    assert take_name(line) == "flood-0"  # its line is empty now, its task running
    line.put("flood", Job("flood-1"))
    line.put("desk", Job("desk-0"))
    line.done("flood")
    assert take_name(line) == "desk-0"


def test_a_capped_session_waits_even_with_a_worker_free() -> None:
    line: Turns[Job] = Turns(lambda job: not job.cancelled, most_running=1)
    line.put("flood", Job("flood-0"))
    line.put("flood", Job("flood-1"))
    line.put(None, Job("row-0"))
    line.put(None, Job("row-1"))
    assert take_name(line) == "flood-0"
    # The flood's next waits; work without a session is not capped.
    assert [take_name(line), take_name(line)] == ["row-0", "row-1"]
    assert line.take() is None, "a second worker went to the same session"
    line.done("flood")
    assert take_name(line) == "flood-1"
