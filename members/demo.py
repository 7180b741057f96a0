"""The demo branch of `manage.py seed_demo`: realistic names, departments and roles.

One branch (a bureau's organs), a secretary and two committee members, and three
party groups of six to nine members, each with its leader. Every person signs in
with the pinyin of their name and DEMO_PASSWORD.
"""

import datetime

DEMO_PASSWORD = "sanping2026"
ADMIN_USERNAME = "admin"

BRANCH_NAME = "市发展改革局机关第一党支部"
BRANCH_SHORT_NAME = "机关一支部"

# (group name, [(number, name, pinyin, gender, department, position, status, birth, joined, role)])
# role: "leader", "secretary", "committee" or "".
GROUPS = [
    (
        "第一党小组",
        [
            ("DY001", "王建国", "wangjianguo", "male", "办公室", "主任", "full", "1972-03-14", "1995-06-20", "secretary"),
            ("DY002", "李秀英", "lixiuying", "female", "办公室", "副主任", "full", "1980-11-02", "2003-05-18", "leader"),
            ("DY003", "张伟", "zhangwei", "male", "办公室", "一级主任科员", "full", "1985-07-21", "2008-12-01", ""),
            ("DY004", "刘洋", "liuyang", "male", "综合处", "处长", "full", "1976-01-09", "1998-07-01", ""),
            ("DY005", "陈静", "chenjing", "female", "综合处", "二级主任科员", "full", "1990-04-30", "2013-06-28", ""),
            ("DY006", "杨帆", "yangfan", "male", "综合处", "科员", "probationary", "1997-09-12", "2026-03-15", ""),
            ("DY007", "赵敏", "zhaomin", "female", "办公室", "科员", "full", "1993-12-05", "2016-11-10", ""),
        ],
    ),
    (
        "第二党小组",
        [
            ("DY008", "黄志强", "huangzhiqiang", "male", "政策法规处", "处长", "full", "1974-08-17", "1997-04-02", "committee"),
            ("DY009", "周丽华", "zhoulihua", "female", "政策法规处", "副处长", "full", "1982-02-25", "2005-10-09", "leader"),
            ("DY010", "吴磊", "wulei", "male", "政策法规处", "一级主任科员", "full", "1987-06-03", "2010-06-30", ""),
            ("DY011", "徐婷", "xuting", "female", "发展规划处", "二级调研员", "full", "1984-10-19", "2007-05-23", ""),
            ("DY012", "孙浩", "sunhao", "male", "发展规划处", "三级主任科员", "full", "1991-03-08", "2014-07-01", ""),
            ("DY013", "马晓燕", "maxiaoyan", "female", "发展规划处", "科员", "full", "1995-05-27", "2018-12-20", ""),
            ("DY014", "朱明", "zhuming", "male", "发展规划处", "处长", "full", "1978-09-30", "2000-06-15", ""),
            ("DY015", "胡欣怡", "huxinyi", "female", "政策法规处", "科员", "probationary", "1998-01-16", "2026-05-04", ""),
        ],
    ),
    (
        "第三党小组",
        [
            ("DY016", "郭建华", "guojianhua", "male", "人事处", "处长", "full", "1973-04-11", "1994-12-26", "committee"),
            ("DY017", "何雪梅", "hexuemei", "female", "计划财务处", "副处长", "full", "1981-07-07", "2004-07-01", "leader"),
            ("DY018", "林涛", "lintao", "male", "计划财务处", "一级主任科员", "full", "1986-11-23", "2009-11-11", ""),
            ("DY019", "高红", "gaohong", "female", "人事处", "二级主任科员", "full", "1989-02-14", "2012-05-04", ""),
            ("DY020", "罗斌", "luobin", "male", "信息中心", "主任", "full", "1979-12-01", "2002-06-18", ""),
            ("DY021", "梁佳", "liangjia", "female", "信息中心", "科员", "full", "1994-08-08", "2017-10-01", ""),
        ],
    ),
]


def parse_date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def full_member_date(joined: datetime.date) -> datetime.date:
    """Probation lasts a year (党章第七条)."""
    return joined.replace(year=joined.year + 1)


def sign_ins() -> list[tuple[str, str]]:
    """(username, who) for the secretary, a committee member, every leader and one member."""
    rows = []
    labels = {"secretary": "branch secretary", "committee": "committee member", "leader": "group leader"}
    seen_committee = seen_member = False
    for group_name, people in GROUPS:
        for _number, name, pinyin, _g, _d, _p, _s, _b, _j, role in people:
            if role == "committee" and seen_committee:
                continue
            if role == "" and seen_member:
                continue
            seen_committee |= role == "committee"
            seen_member |= role == ""
            label = labels.get(role, "member")
            rows.append((pinyin, f"{label}, {group_name} ({name})"))
    return rows
