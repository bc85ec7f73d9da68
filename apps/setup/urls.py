from django.urls import path

from . import views

app_name = "setup"
urlpatterns = [
    path("", views.checklist, name="checklist"),
    path("organisation/", views.organisation, name="organisation"),
    path("departments/", views.departments, name="departments"),
    path("departments/<id:pk>/", views.department, name="department"),
    path("departments/<id:pk>/delete/", views.department_delete, name="department_delete"),
    path("teams/", views.teams, name="teams"),
    path("teams/<id:pk>/", views.team, name="team"),
    path("categories/", views.categories, name="categories"),
    path("categories/<id:pk>/", views.category, name="category"),
    path("people/", views.people, name="people"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<id:pk>/", views.person, name="person"),
    path("people/<id:pk>/teams/<id:membership_pk>/remove/", views.membership_remove, name="membership_remove"),
    path("people/<id:pk>/active/", views.person_set_active, name="person_set_active"),
    path("people/<id:pk>/invite/", views.invitation_resend, name="invitation_resend"),
    path("people/<id:pk>/erase/", views.person_erase, name="person_erase"),
    path("provisioning/", views.provisioning, name="provisioning"),
    path("provisioning/<id:pk>/revoke/", views.scim_token_revoke, name="scim_token_revoke"),
    path("import/", views.import_upload, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<id:pk>/", views.import_preview, name="import_preview"),
    path("import/<id:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<id:pk>/confirm/", views.import_confirm, name="import_confirm"),
]

# The pages a new person meets, outside the admins' area.
welcome_urlpatterns = (
    [
        path("", views.welcome, name="index"),
        path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    ],
    "welcome",
)
