from django.urls import path

from .views import branch, console, member, record, rectification

app_name = "sanping"

urlpatterns = [
    # The branch's (and anyone's) list of the 三评 sessions they can see (views/branch.py)
    path("sanping/", branch.overview, name="overview"),
    path("sanping/<int:pk>/guidance/", branch.guidance_add, name="guidance"),
    # A participant's session page: preparation, live progress, mutual evaluations (views/member.py)
    path("sanping/<int:pk>/", member.session_page, name="session"),
    path("sanping/<int:pk>/live/", member.live, name="live"),
    path("sanping/<int:pk>/self-evaluation/", member.self_evaluation_save, name="self_evaluation_save"),
    path("sanping/<int:pk>/self-evaluation/submit/", member.self_evaluation_submit, name="self_evaluation_submit"),
    path("sanping/<int:pk>/self-evaluation/withdraw/", member.self_evaluation_withdraw, name="self_evaluation_withdraw"),
    path("sanping/<int:pk>/mutual/", member.mutual_add, name="mutual_add"),
    # The whole record, read-only (views/record.py)
    path("sanping/<int:pk>/record/", record.record, name="record"),
    path("sanping/<int:pk>/record.pdf", record.record_pdf, name="record_pdf"),
    # The leader's console and the projector (views/console.py)
    path("sanping/<int:pk>/console/", console.console, name="console"),
    path("sanping/<int:pk>/console/opening/", console.opening_save, name="opening_save"),
    path("sanping/<int:pk>/console/order/", console.order_set, name="order_set"),
    path("sanping/<int:pk>/console/advance/", console.advance, name="advance"),
    path("sanping/<int:pk>/console/back/", console.step_back, name="step_back"),
    path("sanping/<int:pk>/console/speaker/", console.speaker_set, name="speaker_set"),
    path("sanping/<int:pk>/console/slots/<int:slot_pk>/notes/", console.slot_notes, name="slot_notes"),
    path("sanping/<int:pk>/console/summary/", console.summary_save, name="summary_save"),
    path("sanping/<int:pk>/console/comments/<int:member_pk>/", console.comment_save, name="comment_save"),
    path("sanping/<int:pk>/console/items/", console.item_add, name="item_add"),
    path("sanping/<int:pk>/console/items/<int:item_pk>/remove/", console.item_remove, name="item_remove"),
    path("sanping/<int:pk>/console/finish/", console.finish, name="finish"),
    path("sanping/<int:pk>/console/clock/", console.clock, name="clock"),
    path("sanping/<int:pk>/console/coverage/", console.coverage, name="coverage"),
    path("sanping/<int:pk>/projector/", console.projector, name="projector"),
    path("sanping/<int:pk>/projector/state/", console.projector_state, name="projector_state"),
    # Rectification items, tracked after the meeting (views/rectification.py)
    path("rectification/", rectification.item_list, name="items"),
    path("rectification/<int:pk>/", rectification.item_detail, name="item"),
    path("rectification/<int:pk>/progress/", rectification.item_progress, name="item_progress"),
    path("rectification/<int:pk>/done/", rectification.item_done, name="item_done"),
    path("rectification/<int:pk>/verify/", rectification.item_verify, name="item_verify"),
    path("rectification/<int:pk>/send-back/", rectification.item_send_back, name="item_send_back"),
]
