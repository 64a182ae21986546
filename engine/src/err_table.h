/*
 * err_table.h — read-only access to err.c's table of codes, for the tests that check its order.
 *
 * The table itself is private to err.c; everything else uses JetXErrorName / JetXErrorMessage.
 */
#ifndef HOTCOPY_ERR_TABLE_H
#define HOTCOPY_ERR_TABLE_H

#include <stddef.h>

#include "jet.h"

/* Number of codes in the table. */
size_t err_table_count(void);

/* The code of entry index (0 <= index < err_table_count()), in table order. */
JET_ERR err_table_code_at(size_t index);

#endif /* HOTCOPY_ERR_TABLE_H */
