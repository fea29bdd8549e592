"""Policy packs through the API, as the data they are."""

from __future__ import annotations

from quancheng.policies.registry import all_packs, get_pack


def test_list_packs(world, api):
    response = api.get(world.officer, "/packs")
    assert response.status_code == 200
    listed = {p["id"]: p for p in response.json()}
    assert set(listed) == set(all_packs())
    assert listed["anhui"]["title"] == "安徽省行政执法全过程记录办法"
    assert "penalty" in listed["anhui"]["action_types"]


def test_get_pack_is_the_pack_file(world, api):
    response = api.get(world.supervisor, "/packs/anhui")
    assert response.status_code == 200
    assert response.json() == get_pack("anhui").model_dump(mode="json")


def test_packs_need_a_caller(db, client):
    assert client.get("/api/v1/packs").status_code == 401
    assert client.get("/api/v1/packs/anhui").status_code == 401
