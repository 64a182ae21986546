/*
 * jet_err.h — ESE's error and warning codes for libjet (work in progress).
 * Included by jet.h; not meant to be included on its own.
 */
#ifndef HOTCOPY_JET_ERR_H
#define HOTCOPY_JET_ERR_H

#define JET_errSuccess 0

#endif /* HOTCOPY_JET_ERR_H */
