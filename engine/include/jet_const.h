/*
 * jet_const.h — ESE's numeric constants for libjet (work in progress: limits first).
 * Included by jet.h; not meant to be included on its own.
 */
#ifndef HOTCOPY_JET_CONST_H
#define HOTCOPY_JET_CONST_H

#define JET_BASE_NAME_LENGTH 3
#define JET_MAX_COMPUTERNAME_LENGTH 15
#define JET_cbNameMost 64

#endif /* HOTCOPY_JET_CONST_H */
