import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

ALL_PERSONAS = ["member", "leader", "other_member", "other_leader", "secretary", "committee", "outsider", "staff"]
IN_BRANCH = ["member", "leader", "other_member", "other_leader", "secretary", "committee", "staff"]


def get_as(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("url_name,args", [("home", []), ("directory", []), ("profile", []), ("password_change", [])])
def test_anonymous_is_sent_to_sign_in(client, db, url_name, args):
    url = reverse(url_name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_is_sent_to_sign_in_for_objects_too(client, group, member):
    for url in [reverse("group_detail", args=[group.pk]), reverse("member_detail", args=[member.pk])]:
        assert client.get(url)["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_home_shows_each_person_their_branch_group_and_role(client, personas, persona):
    user = personas[persona]
    response = get_as(client, user, reverse("home"))
    assert response.status_code == 200
    text = response.content.decode()
    if persona == "staff":
        assert "管理员" in text
        return
    member = user.member
    assert member.branch.name in text
    assert member.group.name in text


def test_home_names_the_roles(client, personas):
    assert "党小组长" in get_as(client, personas["leader"], reverse("home")).content.decode()
    assert "支部书记" in get_as(client, personas["secretary"], reverse("home")).content.decode()
    assert "支部委员" in get_as(client, personas["committee"], reverse("home")).content.decode()


@pytest.mark.parametrize("persona", IN_BRANCH)
def test_branch_people_see_the_group_page(client, personas, persona, group, leader, member):
    response = get_as(client, personas[persona], reverse("group_detail", args=[group.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert leader.name in text and member.name in text


def test_another_branch_gets_404_for_the_group_and_its_members(client, personas, group, member):
    outsider = personas["outsider"]
    assert get_as(client, outsider, reverse("group_detail", args=[group.pk])).status_code == 404
    assert get_as(client, outsider, reverse("member_detail", args=[member.pk])).status_code == 404


def test_unknown_ids_are_404_not_500(client, personas):
    assert get_as(client, personas["secretary"], reverse("group_detail", args=[999999])).status_code == 404
    assert get_as(client, personas["secretary"], reverse("member_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "persona,sees_private",
    [("member", True), ("leader", True), ("secretary", True), ("committee", True), ("staff", True),
     ("other_member", False), ("other_leader", False)],
)
def test_member_page_shows_private_details_only_to_those_entitled(client, personas, persona, sees_private, member):
    response = get_as(client, personas[persona], reverse("member_detail", args=[member.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert member.name in text
    assert (member.number in text) is sees_private


def test_profile_is_the_own_member_page(client, member):
    response = get_as(client, member.user, reverse("profile"))
    assert response.status_code == 200
    assert member.number in response.content.decode()


def test_staff_without_member_record_has_no_profile(client, staff):
    assert get_as(client, staff, reverse("profile")).status_code == 404


def test_account_without_member_record_is_told_and_sees_no_directory(client, db):
    user = UserFactory(username="nobody")
    home = get_as(client, user, reverse("home"))
    assert "没有关联" in home.content.decode()
    assert client.get(reverse("directory")).status_code == 403


def test_wrong_password_gets_a_clear_chinese_message_and_keeps_the_username(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": "wrong-password"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "请输入一个正确的" in text
    assert 'value="member"' in text


def test_sign_in_leads_home_and_sign_out_leads_back(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_deactivated_member_cannot_sign_in(client, member):
    member.user.is_active = False
    member.user.save()
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_change_refuses_a_weak_password_in_chinese(client, member):
    client.force_login(member.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    member.user.refresh_from_db()
    assert member.user.check_password(PASSWORD)


def test_password_change_works(client, member):
    client.force_login(member.user)
    new = "a-much-longer-passphrase-2026"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password(new)


def test_unknown_url_gets_the_chinese_404_page(client, member, settings):
    settings.DEBUG = False
    client.force_login(member.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text


def test_english_can_be_selected(client, member):
    client.force_login(member.user)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    text = client.get(reverse("home")).content.decode()
    assert "My party group" in text
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "我的党小组" in client.get(reverse("home")).content.decode()


def test_static_assets_are_served_locally(client, member):
    client.force_login(member.user)
    text = client.get(reverse("home")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in text
    assert "/static/django_htmx/htmx-2.min.js" in text
    assert "http://" not in text.replace("http://testserver", "") and "https://" not in text


def test_server_error_page_is_chinese(rf, db):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "系统出现错误" in response.content.decode()


def test_forbidden_page_is_chinese(client, db, settings):
    settings.DEBUG = False
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("directory"))
    assert response.status_code == 403
    assert "您无权进行此操作" in response.content.decode()
