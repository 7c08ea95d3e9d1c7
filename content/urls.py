from __future__ import annotations

from django.urls import path

from content.views import approval, authoring, dial, editor, library, sources

app_name = "content"

urlpatterns = [
    path("", library.library, name="library"),
    path("bulk/", library.bulk_action, name="post_bulk"),
    path("new/", editor.post_create, name="post_create"),
    path("posts/<int:post_id>/", library.post_detail, name="post_detail"),
    path("posts/<int:post_id>/edit/", editor.post_edit, name="post_edit"),
    path("posts/<int:post_id>/publish/", editor.post_publish, name="post_publish"),
    path("posts/<int:post_id>/unschedule/", editor.post_unschedule, name="post_unschedule"),
    path("posts/<int:post_id>/archive/", editor.post_archive, name="post_archive"),
    path("posts/<int:post_id>/preview/", editor.post_preview, name="post_preview"),
    path("captions/count/", editor.caption_count, name="caption_count"),
    path("topics/", editor.topics, name="topics"),
    path("compliance/", editor.compliance, name="compliance"),
    path("control/", dial.control_dial, name="control_dial"),
    path("write/", authoring.write, name="write"),
    path("write/<int:post_id>/", authoring.write_edit, name="write_edit"),
    path("my-posts/", authoring.my_posts, name="my_posts"),
    path("colleague-posts/", authoring.post_queue, name="post_queue"),
    path("colleague-posts/<int:post_id>/approve/", authoring.post_queue_approve, name="post_queue_approve"),
    path("colleague-posts/<int:post_id>/reject/", authoring.post_queue_reject, name="post_queue_reject"),
    path("posts/<int:post_id>/take-down/", authoring.post_takedown, name="post_takedown"),
    path("approvals/", approval.queue, name="approval_queue"),
    path("approvals/<int:post_id>/approve/", approval.approve, name="suggestion_approve"),
    path("approvals/<int:post_id>/reject/", approval.reject, name="suggestion_reject"),
    path("suggest/", approval.suggest, name="suggest"),
    path("suggestions/", approval.my_suggestions, name="my_suggestions"),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/new/", sources.source_create, name="source_create"),
    path("sources/<int:source_id>/", sources.source_edit, name="source_edit"),
    path("sources/<int:source_id>/delete/", sources.source_delete, name="source_delete"),
    path("sources/<int:source_id>/poll/", sources.source_poll, name="source_poll"),
]
