"""lms models, one module per concern; import them from here."""

from lms.models.activities import ActivityAttempt, ActivityResult, ActivityState, XAPIStatement
from lms.models.certificates import (
    Certificate,
    CertificateProgrammeSettings,
    CertificateQuerySet,
    CertificateSequence,
)
from lms.models.courses import (
    PATH_ITEM_MODELS,
    CompletionRule,
    CourseIndexPage,
    CoursePage,
    LiveSessionPage,
    ModulePage,
    PathItemPage,
    Programme,
    SessionKind,
)
from lms.models.people import RANKS, EmployeeType, Role, User, UserManager, WorkUnit
from lms.models.progress import (
    Enrollment,
    EnrollmentQuerySet,
    EnrollmentSource,
    EnrollmentStatus,
    ItemProgress,
    ProgressSource,
    ProgressStatus,
)

__all__ = [
    "ActivityAttempt",
    "ActivityResult",
    "ActivityState",
    "XAPIStatement",
    "PATH_ITEM_MODELS",
    "RANKS",
    "Certificate",
    "CertificateProgrammeSettings",
    "CertificateQuerySet",
    "CertificateSequence",
    "CompletionRule",
    "CourseIndexPage",
    "CoursePage",
    "EmployeeType",
    "Enrollment",
    "EnrollmentQuerySet",
    "EnrollmentSource",
    "EnrollmentStatus",
    "ItemProgress",
    "LiveSessionPage",
    "ModulePage",
    "PathItemPage",
    "Programme",
    "ProgressSource",
    "ProgressStatus",
    "Role",
    "SessionKind",
    "User",
    "UserManager",
    "WorkUnit",
]
