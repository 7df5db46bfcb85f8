"""Password hashes: OWASP's argon2id minimum for new hashes, and hashes made with other
parameters remade at the next right sign-in (never at a wrong one), on the audit log."""

from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from dp_portal.auth.models import User
from dp_portal.auth.services import hash_password
from dp_portal.core.audit import AuditEvent

from ..factories import PASSWORD

# argon2-cffi's default, which every hash made before this policy used.
OLD_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)


def _rehash_events(session, user: User) -> list[AuditEvent]:
    return list(
        session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "user.password_rehashed", AuditEvent.object_id == user.id
            )
        ).scalars()
    )


def test_new_hashes_use_owasps_argon2id_minimum():
    parameters = extract_parameters(hash_password("a long enough password"))
    assert parameters.type.name == "ID"
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        19 * 1024,
        2,
        1,
    )


def test_an_old_parameter_hash_still_signs_in_and_is_remade(client, factory, db_session):
    user = factory.user(email="old@test.example", password_hash=OLD_HASHER.hash(PASSWORD))
    response = client.post("/sign-in", data={"email": "old@test.example", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    db_session.expire_all()
    assert extract_parameters(user.password_hash) == extract_parameters(hash_password("x" * 12))
    assert PasswordHasher().verify(user.password_hash, PASSWORD)
    (event,) = _rehash_events(db_session, user)
    assert event.actor_id == user.id
    # The next sign-in finds the hash current and leaves it, and the log, alone.
    client.post("/sign-out")
    client.post("/sign-in", data={"email": "old@test.example", "password": PASSWORD})
    assert len(_rehash_events(db_session, user)) == 1


def test_a_wrong_password_never_remakes_the_hash(client, factory, db_session):
    old_hash = OLD_HASHER.hash(PASSWORD)
    user = factory.user(email="wrong@test.example", password_hash=old_hash)
    response = client.post(
        "/sign-in", data={"email": "wrong@test.example", "password": "not the password"}
    )
    assert b"Enter a correct email address and password" in response.data
    db_session.expire_all()
    assert user.password_hash == old_hash
    assert _rehash_events(db_session, user) == []
