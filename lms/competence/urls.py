from django.urls import path

from lms.competence.views import compliance, learning, siasn

app_name = "competence"
urlpatterns: list = [
    path("kompetensi/pembelajaran/", learning.learning_list, name="learning_list"),
    path("kompetensi/pembelajaran/catat/", learning.learning_submit_view, name="learning_submit"),
    path("kompetensi/pembelajaran/<int:pk>/bukti/", learning.learning_evidence, name="learning_evidence"),
    path("kompetensi/verifikasi/", learning.verify_queue, name="verify_queue"),
    path("kompetensi/verifikasi/<int:pk>/", learning.verify_detail, name="verify_detail"),
    path("kompetensi/verifikasi/<int:pk>/setujui/", learning.verify_approve, name="verify_approve"),
    path("kompetensi/verifikasi/<int:pk>/tolak/", learning.verify_reject, name="verify_reject"),
    path("kompetensi/siasn/", siasn.siasn_export, name="siasn_export"),
    path("kompetensi/kepatuhan/", compliance.compliance_province, name="compliance_province"),
    path("kompetensi/kepatuhan/opd/<int:unit_id>/", compliance.compliance_unit, name="compliance_unit"),
    path("kompetensi/ip-asn/", compliance.estimate_province, name="estimate_province"),
    path("kompetensi/ip-asn/saya/", compliance.estimate_mine, name="estimate_mine"),
]
