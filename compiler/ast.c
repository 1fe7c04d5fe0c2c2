#include "ast.h"

const char *action_name(enum action_kind k)
{
	static const char *const names[] = {
		[ACT_ALLOW] = "allow", [ACT_LOG] = "log", [ACT_TRAP] = "trap",
		[ACT_NOTIFY] = "notify", [ACT_KILL_THREAD] = "kill_thread",
		[ACT_KILL_PROCESS] = "kill_process", [ACT_ERRNO] = "errno",
		[ACT_TRACE] = "trace",
	};
	return names[k];
}

const char *relop_str(enum relop op)
{
	static const char *const s[] = {
		[OP_EQ] = "==", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=",
		[OP_GT] = ">", [OP_GE] = ">=", [OP_IN] = "in", [OP_NOT_IN] = "not in",
	};
	return s[op];
}
