from django.urls import path

from . import views

app_name = "discussion"

urlpatterns = [
    path("talks/<slug:slug>/", views.talk_detail, name="talk-detail"),
    path("talks/<slug:slug>/comments/", views.comment_create, name="comment-create"),
    # A comment's lasting address: redirects to the thread page that shows it.
    path("comments/<int:pk>/", views.comment_permalink, name="comment"),
    # The live preview of the comment forms (static/js/comment-box.js).
    path("comments/preview/", views.comment_preview, name="comment-preview"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    # Moderation by the series' organisers (and superusers), from the talk page.
    path("comments/<int:pk>/approve/", views.comment_approve, name="comment-approve"),
    path("comments/<int:pk>/remove/", views.comment_remove, name="comment-remove"),
    path("comments/<int:pk>/restore/", views.comment_restore, name="comment-restore"),
]
