/* Unit tests for src/auth/perm.c: the permission table and role mapping (SPEC §1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/perm.h"

static void unknown_permission_is_denied_to_everyone(void **state)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		assert_false(perm_allows("no.such.perm", (enum auth_role)r));
	assert_false(perm_known("no.such.perm"));
	assert_false(perm_known(NULL));
}

static void public_is_held_by_anonymous(void **state)
{
	assert_true(perm_allows("public", ROLE_ANON));
	assert_false(perm_allows("session.self", ROLE_ANON));
}

static void juniors_cannot_reveal_pii_seniors_can(void **state)
{
	assert_false(perm_allows("pii.reveal", ROLE_JUNIOR));
	assert_true(perm_allows("pii.reveal", ROLE_SENIOR));
	assert_false(perm_allows("pii.reveal", ROLE_QA));
	assert_false(perm_allows("pii.reveal", ROLE_CUSTOMER));
}

static void customers_never_serve_or_supervise(void **state)
{
	assert_true(perm_allows("chat.customer", ROLE_CUSTOMER));
	assert_false(perm_allows("chat.serve", ROLE_CUSTOMER));
	assert_false(perm_allows("chat.supervise", ROLE_CUSTOMER));
	assert_false(perm_allows("customer.profile", ROLE_CUSTOMER));
	assert_false(perm_allows("chat.customer", ROLE_JUNIOR));
}

static void supervise_needs_lead_or_above(void **state)
{
	assert_false(perm_allows("chat.supervise", ROLE_JUNIOR));
	assert_false(perm_allows("chat.supervise", ROLE_SENIOR));
	assert_true(perm_allows("chat.supervise", ROLE_LEAD));
	assert_true(perm_allows("chat.supervise", ROLE_SUPERVISOR));
	assert_true(perm_allows("chat.supervise", ROLE_MANAGER));
}

static void only_admin_manages_users(void **state)
{
	for (int r = 0; r < ROLE_COUNT; r++)
		assert_int_equal(perm_allows("user.admin", (enum auth_role)r), r == ROLE_ADMIN);
}

static void account_roles_map_to_effective_roles(void **state)
{
	assert_int_equal(auth_role_from_account("agent", "junior"), ROLE_JUNIOR);
	assert_int_equal(auth_role_from_account("agent", NULL), ROLE_JUNIOR);
	assert_int_equal(auth_role_from_account("agent", "senior"), ROLE_SENIOR);
	assert_int_equal(auth_role_from_account("lead", "lead"), ROLE_LEAD);
	assert_int_equal(auth_role_from_account("root", NULL), ROLE_ANON);
	assert_true(auth_account_role_valid("qa"));
	assert_false(auth_account_role_valid("customer"));
	assert_false(auth_account_level_valid("god"));
}

static void every_table_entry_is_known(void **state)
{
	assert_true(perm_count() > 5);
	for (size_t i = 0; i < perm_count(); i++)
		assert_true(perm_known(perm_name(i)));
	assert_null(perm_name(perm_count()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unknown_permission_is_denied_to_everyone),
	    cmocka_unit_test(public_is_held_by_anonymous),
	    cmocka_unit_test(juniors_cannot_reveal_pii_seniors_can),
	    cmocka_unit_test(customers_never_serve_or_supervise),
	    cmocka_unit_test(supervise_needs_lead_or_above),
	    cmocka_unit_test(only_admin_manages_users),
	    cmocka_unit_test(account_roles_map_to_effective_roles),
	    cmocka_unit_test(every_table_entry_is_known),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
