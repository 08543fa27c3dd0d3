from django.contrib.auth import views as auth_views
from django.urls import path

from . import import_views, views
from .forms import SignInForm

app_name = "accounts"

urlpatterns = [
    path("sign-in/", auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Your account
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/backup-codes/new/", views.mfa_backup_codes_regenerate, name="mfa_backup_codes_regenerate"),
    path("account/two-step/turn-off/", views.mfa_remove, name="mfa_remove"),
    # The second step (open before it is passed: see middleware)
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/backup-codes/", views.mfa_backup_codes, name="mfa_backup_codes"),
    path("mfa/confirm/", views.mfa_confirm, name="mfa_confirm"),
    # Forgotten password and invitations (open before signing in)
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("welcome/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    # People (administrator)
    path("people/", views.user_list, name="user_list"),
    path("people/invite/", views.user_invite, name="user_invite"),
    path("people/<int:pk>/", views.user_edit, name="user_edit"),
    path("people/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("people/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("people/<int:pk>/resend-invitation/", views.user_resend_invitation, name="user_resend_invitation"),
    path("people/<int:pk>/remove-authenticator/", views.user_mfa_reset, name="user_mfa_reset"),
    # Security log (SENCo, head, administrator)
    path("security-log/", views.security_log, name="security_log"),
]

# Setting up (administrator)
urlpatterns += [
    path("people/import/", import_views.staff_import, name="staff_import"),
    path("people/import/<int:pk>/", import_views.staff_import_preview, name="staff_import_preview"),
    path("people/import/<int:pk>/discard/", import_views.staff_import_discard, name="staff_import_discard"),
    path("people/import/<int:pk>/invite/", import_views.staff_import_invite, name="staff_import_invite"),
    path("setting-up/test-email/", import_views.test_email_send, name="test_email_send"),
]
