"""A clerk's day through a client generated from openapi/openapi.json by openapi-python-client,
with generated calls only: the administrator sets up a window and an item whose guide lists
its materials, a clerk accepts a case with one paper to follow (容缺受理), starts it, pauses it
for that paper (补正), resumes it when it arrives and completes it with a certificate, reads its
history and its deadline explained; the applicant looks it up (the result and the certificate's
name, never its number) and rates it at the kiosk; an analyst reads the statistics.

Usage: story.py BASE_URL ADMIN_PASSWORD   (the generated package on PYTHONPATH)"""
import datetime
import sys

from service_hall_api_client import AuthenticatedClient, Client
from service_hall_api_client.api.auth import login
from service_hall_api_client.api.cases import (
    create_case,
    create_case_event,
    get_case_deadline,
    list_case_events,
)
from service_hall_api_client.api.centers import create_center
from service_hall_api_client.api.departments import create_department
from service_hall_api_client.api.items import create_item
from service_hall_api_client.api.public import get_public_case, rate_case
from service_hall_api_client.api.stats import get_report_csv, get_stats_summary
from service_hall_api_client.api.users import create_user
from service_hall_api_client.api.windows import create_window
from service_hall_api_client.models import (
    AccessToken,
    Applicant,
    ApplicantKind,
    CaseEvents,
    CaseReceipt,
    CaseStatus,
    CaseView,
    Category,
    CenterInput,
    Certificate,
    CompleteAction,
    CompleteActionAction,
    CompleteDetails,
    DeadlineView,
    DeferredMaterial,
    DepartmentInput,
    Handling,
    IdType,
    IntakeBody,
    Login,
    Material,
    MaterialForm,
    MaterialsAtIntake,
    NewUser,
    Outcome,
    PauseAction,
    PauseActionAction,
    PauseDetails,
    PauseReason,
    PublicCase,
    RatingBody,
    RatingReceipt,
    ResumeAction,
    ResumeActionAction,
    ResultCode,
    Role,
    ServiceItemInput,
    StartAction,
    StartActionAction,
    SummaryView,
    WindowInput,
    WindowKind,
)

base, admin_password = sys.argv[1], sys.argv[2]


def expect(value, kind, what):
    """The generated call's parsed answer, which must be of the documented success type."""
    if not isinstance(value, kind):
        raise SystemExit(f"{what}: expected {kind.__name__}, got {value!r}")
    return value


def signed_in(username, password):
    token = expect(
        login.sync(client=Client(base_url=base), body=Login(username=username, password=password)),
        AccessToken,
        f"sign in as {username}",
    )
    return AuthenticatedClient(base_url=base, token=token.access_token)


admin = signed_in("admin", admin_password)
department = create_department.sync(client=admin, body=DepartmentInput(code="MZ", name="民政局"))
item = create_item.sync(
    client=admin,
    body=ServiceItemInput(
        code="MZ-001",
        name="社会团体成立登记",
        department_id=department.id,
        category=Category.LICENSING,
        handling=Handling.COMMITTED,
        statutory_days=60,
        promised_days=20,
        materials=[
            Material(name="社会团体成立登记申请书"),
            Material(name="住所使用证明", form=MaterialForm.COPY, deferrable=True),
        ],
    ),
)
center = create_center.sync(
    client=admin, body=CenterInput(code="640105", name="西夏区政务服务中心", division="640105")
)
window = create_window.sync(
    client=admin,
    body=WindowInput(
        center_id=center.id, number=1, name="1号窗口", kind=WindowKind.PERMANENT, item_ids=[item.id]
    ),
)
for username, role, window_id in [("li.na", Role.CLERK, window.id), ("zhao.lei", Role.ANALYST, None)]:
    create_user.sync(
        client=admin,
        body=NewUser(
            username=username,
            role=role,
            password=f"{username} password long enough",
            window_id=window_id,
        ),
    )

clerk = signed_in("li.na", "li.na password long enough")
receipt = expect(
    create_case.sync(
        client=clerk,
        body=IntakeBody(
            item_id=item.id,
            applicant=Applicant(
                kind=ApplicantKind.PERSON,
                name="王小明",
                id_type=IdType.RESIDENT_ID,
                id_number="11010519491231002X",
                phone="13900000000",
            ),
            materials=MaterialsAtIntake(
                received=["社会团体成立登记申请书"],
                deferred=[
                    DeferredMaterial(
                        name="住所使用证明", due_on=datetime.date.today() + datetime.timedelta(days=7)
                    )
                ],
            ),
        ),
    ),
    CaseReceipt,
    "accept a case",
)
assert receipt.missing_materials == ["住所使用证明"], receipt.missing_materials
certificate = Certificate(
    name="社会团体法人登记证书",
    number="宁民社证字第0001号",
    valid_from=receipt.received_on,
    valid_until=receipt.received_on + datetime.timedelta(days=5 * 365),
    issued_by="西夏区民政局",
)
case = receipt
for action in [
    lambda v: StartAction(action=StartActionAction.START, version=v),
    lambda v: PauseAction(
        action=PauseActionAction.PAUSE,
        version=v,
        reason=PauseReason.SUPPLEMENT,
        note="一次性告知",
        materials=["住所使用证明"],
    ),
    lambda v: ResumeAction(action=ResumeActionAction.RESUME, version=v, arrived=["住所使用证明"]),
    lambda v: CompleteAction(
        action=CompleteActionAction.COMPLETE,
        version=v,
        outcome=Outcome.APPROVED,
        result="宁民社登字第1号",
        certificate=certificate,
    ),
]:
    case = expect(
        create_case_event.sync(case.id, client=clerk, body=action(case.version)),
        CaseView,
        "act on the case",
    )
assert case.status == CaseStatus.COMPLETED, case.status
assert case.on_time is True, case.on_time
assert case.result_code == ResultCode.CERTIFICATE_ISSUED and case.missing_materials == [], case

events = expect(list_case_events.sync(receipt.id, client=clerk), CaseEvents, "read the history")
kinds = [event.action.value for event in events.items]
assert kinds == ["accept", "start", "pause", "resume", "complete"], kinds
pause = events.items[2].payload
assert isinstance(pause, PauseDetails) and pause.reason == PauseReason.SUPPLEMENT, pause
assert pause.materials == ["住所使用证明"], pause
completed = events.items[4].payload
assert isinstance(completed, CompleteDetails) and completed.on_time is True, completed
explained = expect(get_case_deadline.sync(receipt.id, client=clerk), DeadlineView, "the deadline")
assert explained.promised_days == 20 and explained.deadline == case.deadline, explained

kiosk = Client(base_url=base)
public = expect(
    get_public_case.sync(receipt.case_no, client=kiosk, code=receipt.query_code),
    PublicCase,
    "look the case up at the kiosk",
)
assert public.status == CaseStatus.COMPLETED and "王" in public.applicant and public.applicant != "王小明"
assert public.result_label == "出证办结" and public.certificate.name == "社会团体法人登记证书", public
assert "number" not in public.certificate.to_dict(), public.certificate
rated = expect(
    rate_case.sync(receipt.case_no, client=kiosk, body=RatingBody(code=receipt.query_code, score=5)),
    RatingReceipt,
    "rate the case",
)

analyst = signed_in("zhao.lei", "zhao.lei password long enough")
today = receipt.received_on
summary = expect(
    get_stats_summary.sync(client=analyst, from_=today, to=today),
    SummaryView,
    "read the statistics",
)
assert (summary.received, summary.completed, summary.completed_on_time) == (1, 1, 1), summary
report = get_report_csv.sync(today.year, client=analyst, through=today)
assert isinstance(report, str) and report.startswith("\ufeff"), report
rows = dict(line.split(",", 1) for line in report.lstrip("\ufeff").splitlines()[1:] if "," in line)
assert any(value.strip() == "1" for value in rows.values()), report
print(f"generated-client story: {receipt.case_no} accepted, handled, rated {rated.score}; "
      f"statistics {summary.received}/{summary.completed}/{summary.completed_on_time}")
