from django.urls import path

from safer.core.views import account, auth, dpo, jobs, pages, people

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in", auth.sign_in, name="sign-in"),
    path("sign-out", auth.sign_out, name="sign-out"),
    path("two-factor/verify", auth.two_factor_verify, name="two-factor-verify"),
    path("two-factor/set-up", auth.two_factor_setup, name="two-factor-setup"),
    path("invitations/<str:token>", auth.accept_invitation, name="accept-invitation"),
    path("accessibility", pages.accessibility, name="accessibility"),
    path("privacy", pages.privacy, name="privacy"),
    path("health", pages.health, name="health"),
    path("people/", people.people, name="people"),
    path("people/invite", people.invite, name="invite"),
    path("people/invitations/<int:invitation_id>/withdraw", people.revoke_invitation, name="revoke-invitation"),
    path("people/agencies/add", people.add_agency, name="add-agency"),
    path("people/<int:user_id>", people.person, name="person"),
    path("people/<int:user_id>/disable", people.disable_person, name="disable-person"),
    path("people/<int:user_id>/enable", people.enable_person, name="enable-person"),
    path("people/<int:user_id>/reset-two-factor", people.reset_two_factor, name="reset-two-factor"),
    path("access-log/", dpo.access_log, name="access-log"),
    path("access-log/export", dpo.export_access_log_view, name="access-log-export"),
    path("access-log/refused", dpo.refusals, name="refusals"),
    path("access-log/verify", dpo.verify_access_log_view, name="access-log-verify"),
    path("account/", account.account, name="account"),
    path("account/tokens/new", account.new_token, name="new-token"),
    path("account/tokens/<int:token_id>/revoke", account.revoke_token, name="revoke-token"),
    path("jobs/", jobs.jobs, name="jobs"),
    path("jobs/<uuid:job_id>", jobs.job, name="job"),
    path("jobs/<uuid:job_id>/status", jobs.job_status, name="job-status"),
    path("jobs/<uuid:job_id>/cancel", jobs.cancel_job, name="cancel-job"),
    path("jobs/<uuid:job_id>/download", jobs.job_download, name="job-download"),
]
