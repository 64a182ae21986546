/* backup.c — placeholder being replaced by the full backup state machine (in progress). */
#include "backup.h"

JET_ERR bk_init(struct inst *inst) { (void)inst; return JET_errSuccess; }
void bk_free(struct inst *inst) { (void)inst; }
int bk_active(struct inst *inst) { (void)inst; return 0; }
void bk_abort_by_server(struct inst *inst) { (void)inst; }
