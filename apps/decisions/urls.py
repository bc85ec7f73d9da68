from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("new/", views.decision_create, name="create"),
    path("new/coverage/", views.coverage_hint, name="coverage_hint"),
    path("new/precedents/", views.precedents, name="precedents"),
    path("mine/", views.my_decisions, name="mine"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/edit/", views.decision_edit, name="edit"),
    path("<int:pk>/withdraw/", views.decision_withdraw, name="withdraw"),
    path("<int:pk>/outcome/", views.decision_outcome, name="outcome"),
    path("playbook/", views.playbook, name="playbook"),
    path("playbook/acknowledge/", views.playbook_acknowledge, name="playbook_acknowledge"),
    path("rules/", views.manage_rules, name="manage_rules"),
    path("rules/<int:team_id>/", views.team_rules, name="team_rules"),
    path("rules/trust/<int:pk>/end/", views.trust_statement_end, name="trust_end"),
]
