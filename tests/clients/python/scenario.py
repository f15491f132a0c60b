"""The practice from sign-up to a completed meeting, through a client generated from
openapi/openapi.json by openapi-python-client with default settings: no hand-written API types.
`mypy --strict` must accept it; it runs against a live server (TANDEM_URL)."""

from __future__ import annotations

import datetime
import os
import sys
import time
from typing import Protocol, TypeVar

from tandem_api_client import AuthenticatedClient, Client
from tandem_api_client.api.auth import issue_token, register
from tandem_api_client.api.goals import activate_goal, create_goal
from tandem_api_client.api.meetings import (
    complete_meeting,
    create_commitment,
    put_meeting_notes,
    schedule_meeting,
)
from tandem_api_client.api.partnerships import accept_partnership, create_partnership
from tandem_api_client.api.progress import goal_progress, partnership_scorecard
from tandem_api_client.api.readings import create_reading
from tandem_api_client.models import (
    CommitmentView,
    CompleteMeetingRequest,
    CreateCommitmentRequest,
    CreatePartnershipRequest,
    CreateReadingRequest,
    Direction,
    GoalInput,
    GoalStatus,
    GoalView,
    MeetingDetail,
    MeetingStatus,
    MetricInput,
    MetricKind,
    NotesView,
    PartnershipStatus,
    PartnershipView,
    Problem,
    ProgressView,
    PutNotesRequest,
    ReadingView,
    RegisterRequest,
    ScheduleMeetingRequest,
    ScorecardView,
    TokenRequest,
    TokenResponse,
    TokenScheme,
    UserView,
)

BASE_URL = os.environ.get("TANDEM_URL", "http://127.0.0.1:8080")
RUN = format(int(time.time() * 1000), "x")

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Answer(Protocol[T_co]):
    """What every generated `sync_detailed` returns, as far as the scenario needs."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...

    @property
    def parsed(self) -> T_co | None: ...


def ok(answer: Answer[object], kind: type[T], what: str) -> T:
    """The parsed body when it is the success type, else a failure naming the problem."""
    parsed = answer.parsed
    if not isinstance(parsed, kind):
        raise AssertionError(f"{what}: {answer.status_code} {answer.content!r}")
    return parsed


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(f"scenario failed: {what}")


class Person:
    def __init__(self, name: str, time_zone: str) -> None:
        anonymous = Client(base_url=BASE_URL)
        self.email = f"{name.lower()}-{RUN}@example.com"
        password = f"{name} keeps a long passphrase"
        user = ok(
            register.sync_detailed(
                client=anonymous,
                body=RegisterRequest(
                    email=self.email, password=password, display_name=name, time_zone=time_zone
                ),
            ),
            UserView,
            f"register {name}",
        )
        tokens = ok(
            issue_token.sync_detailed(
                client=anonymous, body=TokenRequest(email=self.email, password=password)
            ),
            TokenResponse,
            "sign in",
        )
        check(tokens.token_type == TokenScheme.BEARER, "token_type is the Bearer enum")
        self.id = user.id
        self.client = AuthenticatedClient(base_url=BASE_URL, token=tokens.access_token)


def main() -> None:
    ada = Person("Ada", "Europe/London")
    grace = Person("Grace", "Europe/Berlin")

    # A problem through the generated error type: a made-up time zone is a 422 naming the field.
    refused = register.sync_detailed(
        client=Client(base_url=BASE_URL),
        body=RegisterRequest(
            email=f"nobody-{RUN}@example.com",
            password="long enough passphrase",
            display_name="Nobody",
            time_zone="Mars/Olympus_Mons",
        ),
    )
    check(refused.status_code == 422, f"422 for an unknown time zone, got {refused.status_code}")
    problem = ok(refused, Problem, "the 422 is a problem")
    check(problem.type_ == "urn:tandem:problem:validation", f"problem type {problem.type_}")
    errors = problem.errors if isinstance(problem.errors, list) else []
    pointers = [e.pointer for e in errors]
    check("#/time_zone" in pointers, f"the problem names #/time_zone: {pointers}")

    # Ada invites Grace, who accepts.
    invited = ok(
        create_partnership.sync_detailed(
            client=ada.client,
            body=CreatePartnershipRequest(invitee_email=grace.email, message="Keep me honest?"),
        ),
        PartnershipView,
        "invite",
    )
    accepted = ok(
        accept_partnership.sync_detailed(invited.id, client=grace.client),
        PartnershipView,
        "accept",
    )
    check(accepted.status == PartnershipStatus.ACTIVE, f"partnership is {accepted.status}")

    # Ada drafts and activates two goals and records a reading of the first.
    year = datetime.date.today().year
    goal_ids = []
    for title, baseline, target in [("Cut customer wait time", 12.0, 9.6), ("Grow weekly demos", 4.0, 10.0)]:
        goal = ok(
            create_goal.sync_detailed(
                invited.id,
                client=ada.client,
                body=GoalInput(
                    title=title,
                    what=f"{title} this year",
                    who="Support team",
                    why="It is what customers ask for",
                    metric=MetricInput(
                        name=title,
                        unit="count",
                        kind=MetricKind.NUMBER,
                        direction=Direction.DECREASE if target < baseline else Direction.INCREASE,
                        baseline=baseline,
                        target=target,
                    ),
                    confidence=0.7,
                    alignment="Retention objective",
                    start_date=datetime.date(year, 1, 1),
                    due_date=datetime.date(year, 12, 31),
                ),
            ),
            GoalView,
            f"create goal {title}",
        )
        active = ok(activate_goal.sync_detailed(goal.id, client=ada.client), GoalView, "activate")
        check(active.status == GoalStatus.ACTIVE, f"goal is {active.status}")
        goal_ids.append(goal.id)
    goal_id = goal_ids[0]
    reading = ok(
        create_reading.sync_detailed(
            goal_id,
            client=ada.client,
            body=CreateReadingRequest(
                value=10.8,
                observed_at=datetime.datetime.now(datetime.timezone.utc),
                note="After the triage pilot",
            ),
        ),
        ReadingView,
        "record a reading",
    )
    check(reading.value == 10.8, "the reading keeps its value")

    # Progress and the scorecard, as both partners see them.
    progress = ok(
        goal_progress.sync_detailed(goal_id, client=grace.client), ProgressView, "progress"
    )
    current: float | None = progress.current
    check(current == 10.8, f"progress.current is the latest reading, got {current}")
    scorecard = ok(
        partnership_scorecard.sync_detailed(invited.id, client=grace.client),
        ScorecardView,
        "scorecard",
    )
    rows = [row for partner in scorecard.partners for row in partner.goals]
    check(len(rows) == 2, f"two goals on the scorecard, got {len(rows)}")
    check(
        any(row.goal_id == goal_id and row.latest_value == 10.8 for row in rows),
        "the scorecard shows the reading",
    )

    # They meet: schedule, notes, a commitment, complete.
    meeting = ok(
        schedule_meeting.sync_detailed(invited.id, client=ada.client, body=ScheduleMeetingRequest()),
        MeetingDetail,
        "schedule",
    )
    ok(
        put_meeting_notes.sync_detailed(
            meeting.id,
            ada.id,
            client=grace.client,
            body=PutNotesRequest(
                wins=["Triage pilot live"],
                obstacles=["Weekend backlog"],
                solutions=["Rotate weekend duty"],
            ),
        ),
        NotesView,
        "notes",
    )
    commitment = ok(
        create_commitment.sync_detailed(
            meeting.id, client=ada.client, body=CreateCommitmentRequest(text="Draft the weekend rota")
        ),
        CommitmentView,
        "commitment",
    )
    check(commitment.closed_at is None, "an open commitment has closed_at None")
    completed = ok(
        complete_meeting.sync_detailed(meeting.id, client=ada.client, body=CompleteMeetingRequest()),
        MeetingDetail,
        "complete",
    )
    check(completed.status == MeetingStatus.COMPLETED, f"meeting is {completed.status}")
    check(completed.next_meeting_id is not None, "completing schedules the next meeting")
    print(f"python client scenario passed: partnership {invited.id}, meeting {meeting.id}")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(failure, file=sys.stderr)
        sys.exit(1)
