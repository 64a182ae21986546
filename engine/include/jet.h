/*
 * jet.h — the public interface of libjet, Hotcopy's transactional storage engine.
 *
 * libjet follows Microsoft ESE's documented API: the names, signatures, numeric constants and
 * return codes below are ESE's wherever ESE has the same call, so a program written against ESE's
 * documentation compiles against this header unchanged (ANSI "A" forms; the unsuffixed names are
 * the ANSI ones, as with ESE without JET_UNICODE). Extensions ESE lacks are few, prefixed `JetX`
 * and marked EXTENSION.
 *
 * Overview
 *   An INSTANCE owns a log set (log generations edb.log, edbXXXXXXXX.log and a checkpoint edb.chk
 *   in its log/system paths) and attaches DATABASE files (*.edb). A SESSION (JetBeginSession) runs
 *   TRANSACTIONS; inside one it opens TABLES (cursors) and reads and updates RECORDS. A transaction's
 *   changes are private until JetCommitTransaction, which is durable when it returns (unless
 *   JET_bitCommitLazyFlush); readers never see uncommitted data. After a crash, JetInit replays the
 *   log from the checkpoint (soft recovery); a backup taken with the external backup API
 *   (JetBeginExternalBackup ... JetEndExternalBackup) restores by JetExternalRestore (hard recovery).
 *
 * Modes (process-wide, reset when the last instance is freed)
 *   One-instance ("legacy") mode: entered by JetInit(NULL) or JetInit on a nil instance before any
 *   JetCreateInstance; the calls without an instance argument (JetBeginExternalBackup, ...) then act
 *   on that instance. Multi-instance mode: entered by JetCreateInstance(2) or JetEnableMultiInstance;
 *   the legacy calls then fail with JET_errRunningInMultiInstanceMode.
 *
 * Entry gate
 *   Every call that takes an instance (or acts on the legacy one) first checks, in this order:
 *   JetStopService(Instance) was called -> JET_errClientRequestToStopJetService; the instance hit a
 *   fatal error (the log can no longer be written) -> JET_errInstanceUnavailable; JetTerm under way
 *   -> JET_errTermInProgress; hard recovery under way -> JET_errRestoreInProgress; not initialised
 *   -> JET_errNotInitialized. An unknown instance handle -> JET_errInvalidInstance.
 *
 * Threading
 *   Instances, sessions and the backup calls may be used from any thread. A session is used by one
 *   thread at a time (ESE's rule); different sessions run concurrently. A table id belongs to its
 *   session. The offset read JetXReadFileAt may be called concurrently from many threads.
 *
 * Errors
 *   Every call returns a JET_ERR: 0 success, > 0 a warning (the call succeeded), < 0 an error (the
 *   call had no effect unless its documentation says otherwise). No input makes libjet abort the
 *   process. JetXErrorName / JetXErrorMessage turn any code into its name and a one-line message.
 */
#ifndef HOTCOPY_JET_H
#define HOTCOPY_JET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define JET_API
#define JET_NODSAPI

/* ---- basic types (ESE's) ------------------------------------------------------------------------ */
typedef uintptr_t JET_API_PTR;
typedef long JET_ERR;
typedef JET_API_PTR JET_HANDLE;   /* backup file handle */
typedef JET_API_PTR JET_INSTANCE; /* instance identifier */
typedef JET_API_PTR JET_SESID;    /* session identifier */
typedef JET_API_PTR JET_TABLEID;  /* table (cursor) identifier */
typedef JET_API_PTR JET_LS;       /* local storage */
typedef unsigned long JET_COLUMNID;
typedef unsigned long JET_DBID;
typedef unsigned long JET_OBJTYP;
typedef unsigned long JET_COLTYP;
typedef unsigned long JET_GRBIT;
typedef unsigned long JET_SNP; /* status notification process */
typedef unsigned long JET_SNT; /* status notification type */
typedef double JET_DATESERIAL;
typedef unsigned long JET_CBTYP;

#ifndef JET_WCHAR_DEFINED
#define JET_WCHAR_DEFINED
typedef unsigned short WCHAR; /* UTF-16 unit, as on Windows (the W forms are not provided) */
#endif

typedef char *JET_PSTR;
typedef const char *JET_PCSTR;
typedef WCHAR *JET_PWSTR;
typedef const WCHAR *JET_PCWSTR;

/* Status callback (restore progress): snp is the process (JET_snpRestore), snt the type
 * (JET_sntBegin, JET_sntProgress with a JET_SNPROG in pv, JET_sntComplete). A negative return
 * cancels the operation with that code. */
typedef JET_ERR(JET_API *JET_PFNSTATUS)(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv);

#include "jet_const.h" /* grbits, parameter ids, column types, limits (ESE's values) */
#include "jet_err.h"   /* every JET_err* / JET_wrn* code (ESE's values) */

/* ---- structures (ESE's) ------------------------------------------------------------------------- */
typedef struct {
    char *szDatabaseName;    /* the database's path as recorded in the logs */
    char *szNewDatabaseName; /* where the restored copy is */
} JET_RSTMAP_A;
typedef struct {
    WCHAR *szDatabaseName;
    WCHAR *szNewDatabaseName;
} JET_RSTMAP_W;
#define JET_RSTMAP JET_RSTMAP_A

typedef struct {
    unsigned long cbStruct;
    unsigned long cunitDone;
    unsigned long cunitTotal;
} JET_SNPROG;

typedef struct {
    unsigned long cbSize;
    unsigned long ulGenLow;
    unsigned long ulGenHigh;
    char szBaseName[JET_BASE_NAME_LENGTH + 1];
} JET_LOGINFO_A;
typedef struct {
    unsigned long cbSize;
    unsigned long ulGenLow;
    unsigned long ulGenHigh;
    WCHAR szBaseName[JET_BASE_NAME_LENGTH + 1];
} JET_LOGINFO_W;
#define JET_LOGINFO JET_LOGINFO_A

typedef struct {
    unsigned long cbStruct;
    JET_COLUMNID columnid;
    JET_COLTYP coltyp;
    unsigned short wCountry;
    unsigned short langid;
    unsigned short cp;
    unsigned short wCollate;
    unsigned long cbMax;
    JET_GRBIT grbit;
} JET_COLUMNDEF;

typedef struct {
    unsigned long paramid;
    JET_API_PTR lParam;
    const char *sz;
    JET_ERR err;
} JET_SETSYSPARAM_A;
#define JET_SETSYSPARAM JET_SETSYSPARAM_A

typedef struct {
    unsigned long cbStruct;
    unsigned long ibLongValue;
    unsigned long itagSequence;
} JET_SETINFO;

typedef struct {
    unsigned long cbStruct;
    unsigned long ibLongValue;
    unsigned long itagSequence;
    JET_COLUMNID columnidNextTagged;
} JET_RETINFO;

/* Log position: generation, sector and byte within the sector. */
typedef struct {
    unsigned short ib;
    unsigned short isec;
    long lGeneration;
} JET_LGPOS;

/* A moment, to the second (bYear counts from 1900). */
typedef struct {
    char bSeconds;
    char bMinutes;
    char bHours;
    char bDay;
    char bMonth;
    char bYear;
    union {
        char bFiller1;
        struct {
            unsigned char fTimeIsUTC : 1;
            unsigned char bMillisecondsLow : 7;
        };
    };
    union {
        char bFiller2;
        struct {
            unsigned char fReserved : 1;
            unsigned char bMillisecondsHigh : 3;
            unsigned char fUnused : 4;
        };
    };
} JET_LOGTIME;

/* JET_LOGTIME as a backup records it: same size and fields, but bit 0 of the last byte says
 * whether the backup was an OS snapshot. */
typedef struct {
    char bSeconds;
    char bMinutes;
    char bHours;
    char bDay;
    char bMonth;
    char bYear;
    union {
        char bFiller1;
        struct {
            unsigned char fTimeIsUTC : 1;
            unsigned char bMillisecondsLow : 7;
        };
    };
    union {
        char bFiller2;
        struct {
            unsigned char fOSSnapshot : 1;
            unsigned char bMillisecondsHigh : 3;
            unsigned char fReserved : 4;
        };
    };
} JET_BKLOGTIME;

typedef struct {
    unsigned long ulRandom;
    JET_LOGTIME logtimeCreate;
    char szComputerName[JET_MAX_COMPUTERNAME_LENGTH + 1];
} JET_SIGNATURE;

/* One backup recorded in a database header: the mark (log position and time of the backup),
 * and the log generations it covers. */
typedef struct {
    JET_LGPOS lgposMark;
    union {
        JET_LOGTIME logtimeMark;
        JET_BKLOGTIME bklogtimeMark;
    };
    unsigned long genLow;
    unsigned long genHigh;
} JET_BKINFO;

/* JetGetDatabaseFileInfo(JET_DbInfoMisc): the database header. */
typedef struct {
    unsigned long ulVersion;
    unsigned long ulUpdate;
    JET_SIGNATURE signDb;
    unsigned long dbstate; /* JET_dbstate* */
    JET_LGPOS lgposConsistent;
    JET_LOGTIME logtimeConsistent;
    JET_LOGTIME logtimeAttach;
    JET_LGPOS lgposAttach;
    JET_LOGTIME logtimeDetach;
    JET_LGPOS lgposDetach;
    JET_SIGNATURE signLog;
    JET_BKINFO bkinfoFullPrev;
    JET_BKINFO bkinfoIncPrev;
    JET_BKINFO bkinfoFullCur;
    unsigned long fShadowingDisabled;
    unsigned long fUpgradeDb;
    unsigned long dwMajorVersion;
    unsigned long dwMinorVersion;
    unsigned long dwBuildNumber;
    long lSPNumber;
    unsigned long cbPageSize;
} JET_DBINFOMISC;

/* The larger header descriptions, each the previous one plus a few fields (ESE's versions 2-4).
 * JetGetDatabaseFileInfo(JET_DbInfoMisc) fills the version whose size cbMax names. */
typedef struct {
    unsigned long ulVersion;
    unsigned long ulUpdate;
    JET_SIGNATURE signDb;
    unsigned long dbstate;
    JET_LGPOS lgposConsistent;
    JET_LOGTIME logtimeConsistent;
    JET_LOGTIME logtimeAttach;
    JET_LGPOS lgposAttach;
    JET_LOGTIME logtimeDetach;
    JET_LGPOS lgposDetach;
    JET_SIGNATURE signLog;
    JET_BKINFO bkinfoFullPrev;
    JET_BKINFO bkinfoIncPrev;
    JET_BKINFO bkinfoFullCur;
    unsigned long fShadowingDisabled;
    unsigned long fUpgradeDb;
    unsigned long dwMajorVersion;
    unsigned long dwMinorVersion;
    unsigned long dwBuildNumber;
    long lSPNumber;
    unsigned long cbPageSize;
    /* added by JET_DBINFOMISC2 */
    unsigned long genMinRequired;
    unsigned long genMaxRequired;
    JET_LOGTIME logtimeGenMaxCreate;
    unsigned long ulRepairCount;
    JET_LOGTIME logtimeRepair;
    unsigned long ulRepairCountOld;
    unsigned long ulECCFixSuccess;
    JET_LOGTIME logtimeECCFixSuccess;
    unsigned long ulECCFixSuccessOld;
    unsigned long ulECCFixFail;
    JET_LOGTIME logtimeECCFixFail;
    unsigned long ulECCFixFailOld;
    unsigned long ulBadChecksum;
    JET_LOGTIME logtimeBadChecksum;
    unsigned long ulBadChecksumOld;
} JET_DBINFOMISC2;

typedef struct {
    unsigned long ulVersion;
    unsigned long ulUpdate;
    JET_SIGNATURE signDb;
    unsigned long dbstate;
    JET_LGPOS lgposConsistent;
    JET_LOGTIME logtimeConsistent;
    JET_LOGTIME logtimeAttach;
    JET_LGPOS lgposAttach;
    JET_LOGTIME logtimeDetach;
    JET_LGPOS lgposDetach;
    JET_SIGNATURE signLog;
    JET_BKINFO bkinfoFullPrev;
    JET_BKINFO bkinfoIncPrev;
    JET_BKINFO bkinfoFullCur;
    unsigned long fShadowingDisabled;
    unsigned long fUpgradeDb;
    unsigned long dwMajorVersion;
    unsigned long dwMinorVersion;
    unsigned long dwBuildNumber;
    long lSPNumber;
    unsigned long cbPageSize;
    /* added by JET_DBINFOMISC2 */
    unsigned long genMinRequired;
    unsigned long genMaxRequired;
    JET_LOGTIME logtimeGenMaxCreate;
    unsigned long ulRepairCount;
    JET_LOGTIME logtimeRepair;
    unsigned long ulRepairCountOld;
    unsigned long ulECCFixSuccess;
    JET_LOGTIME logtimeECCFixSuccess;
    unsigned long ulECCFixSuccessOld;
    unsigned long ulECCFixFail;
    JET_LOGTIME logtimeECCFixFail;
    unsigned long ulECCFixFailOld;
    unsigned long ulBadChecksum;
    JET_LOGTIME logtimeBadChecksum;
    unsigned long ulBadChecksumOld;
    /* added by JET_DBINFOMISC3 */
    unsigned long genCommitted;
} JET_DBINFOMISC3;

typedef struct {
    unsigned long ulVersion;
    unsigned long ulUpdate;
    JET_SIGNATURE signDb;
    unsigned long dbstate;
    JET_LGPOS lgposConsistent;
    JET_LOGTIME logtimeConsistent;
    JET_LOGTIME logtimeAttach;
    JET_LGPOS lgposAttach;
    JET_LOGTIME logtimeDetach;
    JET_LGPOS lgposDetach;
    JET_SIGNATURE signLog;
    JET_BKINFO bkinfoFullPrev;
    JET_BKINFO bkinfoIncPrev;
    JET_BKINFO bkinfoFullCur;
    unsigned long fShadowingDisabled;
    unsigned long fUpgradeDb;
    unsigned long dwMajorVersion;
    unsigned long dwMinorVersion;
    unsigned long dwBuildNumber;
    long lSPNumber;
    unsigned long cbPageSize;
    /* added by JET_DBINFOMISC2 */
    unsigned long genMinRequired;
    unsigned long genMaxRequired;
    JET_LOGTIME logtimeGenMaxCreate;
    unsigned long ulRepairCount;
    JET_LOGTIME logtimeRepair;
    unsigned long ulRepairCountOld;
    unsigned long ulECCFixSuccess;
    JET_LOGTIME logtimeECCFixSuccess;
    unsigned long ulECCFixSuccessOld;
    unsigned long ulECCFixFail;
    JET_LOGTIME logtimeECCFixFail;
    unsigned long ulECCFixFailOld;
    unsigned long ulBadChecksum;
    JET_LOGTIME logtimeBadChecksum;
    unsigned long ulBadChecksumOld;
    /* added by JET_DBINFOMISC3 */
    unsigned long genCommitted;
    /* added by JET_DBINFOMISC4 */
    JET_BKINFO bkinfoCopyPrev;
    JET_BKINFO bkinfoDiffPrev;
} JET_DBINFOMISC4;

/* JetGetInstanceInfo: one running instance and its attached databases. */
typedef struct {
    JET_INSTANCE hInstanceId;
    char *szInstanceName;
    JET_API_PTR cDatabases;
    char **szDatabaseFileName;
    char **szDatabaseDisplayName;
    char **szDatabaseSLVFileName_Obsolete;
} JET_INSTANCE_INFO_A;
#define JET_INSTANCE_INFO JET_INSTANCE_INFO_A

/* ---- instances and system parameters ------------------------------------------------------------- */

/* Creates an instance (enters multi-instance mode). Name unique among live instances.
 * Errors: JET_errRunningInOneInstanceMode (legacy mode active), JET_errInstanceNameInUse,
 * JET_errInvalidParameter (NULL pinstance), JET_errTooManyInstances, JET_errOutOfMemory. */
JET_ERR JET_API JetCreateInstance(JET_INSTANCE *pinstance, const char *szInstanceName);
JET_ERR JET_API JetCreateInstance2(JET_INSTANCE *pinstance, const char *szInstanceName,
                                   const char *szDisplayName, JET_GRBIT grbit);

/* Enters multi-instance mode and applies default parameters for every later instance.
 * Errors: JET_errRunningInOneInstanceMode; JET_errSystemParamsAlreadySet (an instance exists). */
JET_ERR JET_API JetEnableMultiInstance(JET_SETSYSPARAM *psetsysparam, unsigned long csetsysparam,
                                       unsigned long *pcsetsucceed);

/* Sets a parameter of an instance (pinstance != NULL and *pinstance != 0), or the process default
 * for instances created later (pinstance NULL or *pinstance 0). Paths and sizes can only be set
 * before JetInit: JET_errAlreadyInitialized after. Unknown paramid: JET_errInvalidParameter.
 * Out-of-range value: JET_errInvalidParameter. Integer parameters take lParam, strings szParam. */
JET_ERR JET_API JetSetSystemParameter(JET_INSTANCE *pinstance, JET_SESID sesid,
                                      unsigned long paramid, JET_API_PTR lParam, JET_PCSTR szParam);
/* Reads a parameter: integers into *plParam, strings into szParam (cbMax bytes, NUL-terminated;
 * JET_errBufferTooSmall when it does not fit). */
JET_ERR JET_API JetGetSystemParameter(JET_INSTANCE instance, JET_SESID sesid, unsigned long paramid,
                                      JET_API_PTR *plParam, JET_PSTR szParam, unsigned long cbMax);

/* Initialises an instance: opens or creates the log set and runs soft recovery from the checkpoint
 * if the last run did not end cleanly (unless JET_paramRecovery is "Off"). With pinstance NULL or
 * *pinstance == 0 before any JetCreateInstance, creates the one legacy instance (one-instance mode)
 * and returns its handle in *pinstance when pinstance is not NULL.
 * Errors: JET_errAlreadyInitialized; JET_errRunningInMultiInstanceMode (nil instance in
 * multi-instance mode); recovery's codes (JET_errBadLogSignature, JET_errMissingLogFile,
 * JET_errCheckpointCorrupt, JET_errLogFileCorrupt, JET_errDatabaseLogSetMismatch, ...);
 * JET_errDiskIO; JET_errInvalidPath. After a failed JetInit the instance can be freed by JetTerm. */
JET_ERR JET_API JetInit(JET_INSTANCE *pinstance);
JET_ERR JET_API JetInit2(JET_INSTANCE *pinstance, JET_GRBIT grbit);

/* Shuts an instance down and frees it. JetTerm = JetTerm2(instance, JET_bitTermComplete).
 * Complete: fails with JET_errBackupInProgress while an external backup runs; otherwise ends all
 * sessions (rolling back open transactions), flushes, marks databases clean, writes a final log
 * record and checkpoint. JET_bitTermStopBackup or JET_bitTermAbrupt end a running backup as
 * aborted by server first. JET_bitTermAbrupt: no flush (recovery will run next time).
 * JET_bitTermDirty: stop without flushing anything, as a crash would (for tests).
 * Errors: JET_errInvalidInstance, JET_errBackupInProgress, JET_errTermInProgress (another thread is
 * terminating it). An instance that was never initialised is simply freed. */
JET_ERR JET_API JetTerm(JET_INSTANCE instance);
JET_ERR JET_API JetTerm2(JET_INSTANCE instance, JET_GRBIT grbit);

/* Asks the engine to stop: afterwards every call on the instance fails with
 * JET_errClientRequestToStopJetService (JetTerm still works). The legacy form acts on the legacy
 * instance (JET_errRunningInMultiInstanceMode in multi-instance mode). */
JET_ERR JET_API JetStopService(void);
JET_ERR JET_API JetStopServiceInstance(JET_INSTANCE instance);
JET_ERR JET_API JetStopServiceInstance2(JET_INSTANCE instance, JET_GRBIT grbit);

/* Lists running instances and their attached databases. The array and strings are freed with
 * JetFreeBuffer((char *)*paInstanceInfo). */
JET_ERR JET_API JetGetInstanceInfo(unsigned long *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo);
JET_ERR JET_API JetFreeBuffer(char *pbBuf);

/* The engine's version (a constant). */
JET_ERR JET_API JetGetVersion(JET_SESID sesid, unsigned long *pwVersion);

/* ---- sessions ------------------------------------------------------------------------------------ */

/* Begins a session on an initialised instance. Names and password are ignored.
 * Errors: the entry gate's codes; JET_errOutOfSessions; JET_errInvalidParameter. */
JET_ERR JET_API JetBeginSession(JET_INSTANCE instance, JET_SESID *psesid, JET_PCSTR szUserName,
                                JET_PCSTR szPassword);
/* Ends a session: rolls back its open transactions, closes its tables and databases.
 * Errors: JET_errInvalidSesid. */
JET_ERR JET_API JetEndSession(JET_SESID sesid, JET_GRBIT grbit);

/* ---- databases ----------------------------------------------------------------------------------- */

/* Creates a database file and attaches and opens it for the session. grbit:
 * JET_bitDbOverwriteExisting replaces an existing file. The page size is the instance's
 * JET_paramDatabasePageSize. Errors: JET_errDatabaseDuplicate (file exists), JET_errBackupInProgress
 * (an external backup runs), JET_errInvalidPath, JET_errDiskIO, JET_errTooManyAttachedDatabases. */
JET_ERR JET_API JetCreateDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                  JET_DBID *pdbid, JET_GRBIT grbit);
JET_ERR JET_API JetCreateDatabase2(JET_SESID sesid, JET_PCSTR szFilename,
                                   const unsigned long cpgDatabaseSizeMax, JET_DBID *pdbid,
                                   JET_GRBIT grbit);
/* Attaches an existing database to the instance (not yet opened by the session).
 * Warnings: JET_wrnDatabaseAttached when already attached. Errors: JET_errFileNotFound,
 * JET_errDatabaseDirtyShutdown (not cleanly shut down: run recovery first),
 * JET_errSoftRecoveryOnBackupDatabase (a backup copy: restore it with JetExternalRestore),
 * JET_errDatabaseCorrupted, JET_errReadVerifyFailure, JET_errBackupInProgress,
 * JET_errDatabaseLogSetMismatch, JET_errInvalidDatabase (not a database file). */
JET_ERR JET_API JetAttachDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabase2(JET_SESID sesid, JET_PCSTR szFilename,
                                   const unsigned long cpgDatabaseSizeMax, JET_GRBIT grbit);
/* Detaches a database (flushing it and marking it clean). szFilename NULL detaches all.
 * Errors: JET_errDatabaseNotFound, JET_errDatabaseInUse (open in a session, or a table of it still
 * open or written by a pending transaction), JET_errBackupInProgress. */
JET_ERR JET_API JetDetachDatabase(JET_SESID sesid, JET_PCSTR szFilename);
JET_ERR JET_API JetDetachDatabase2(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit);
/* Opens an attached database for the session. Errors: JET_errDatabaseNotFound (not attached). */
JET_ERR JET_API JetOpenDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                JET_DBID *pdbid, JET_GRBIT grbit);
JET_ERR JET_API JetCloseDatabase(JET_SESID sesid, JET_DBID dbid, JET_GRBIT grbit);

/* Reads a database file's header without attaching it. InfoLevel JET_DbInfoMisc fills a
 * JET_DBINFOMISC (or the larger JET_DBINFOMISC4 when cbMax allows), JET_DbInfoPageSize an unsigned
 * long, JET_DbInfoFileType (JET_filetypeDatabase), JET_DbInfoFilesize / JET_DbInfoFilesizeOnDisk
 * an unsigned long long. Errors: JET_errFileNotFound, JET_errDatabaseCorrupted (neither header copy
 * is valid), JET_errBufferTooSmall, JET_errInvalidParameter (unknown level). */
JET_ERR JET_API JetGetDatabaseFileInfo(JET_PCSTR szDatabaseName, void *pvResult, unsigned long cbMax,
                                       unsigned long InfoLevel);
/* The same for an open database (JET_DbInfoFilename, JET_DbInfoPageSize, JET_DbInfoSpaceOwned,
 * JET_DbInfoMisc). */
JET_ERR JET_API JetGetDatabaseInfo(JET_SESID sesid, JET_DBID dbid, void *pvResult, unsigned long cbMax,
                                   unsigned long InfoLevel);

/* ---- tables, columns, indexes -------------------------------------------------------------------- */

/* Creates a table and opens a cursor on it (exclusive until closed, as in ESE). Data definition is
 * durable at once and is not undone by JetRollback. Errors: JET_errTableDuplicate,
 * JET_errInvalidName, JET_errInvalidDatabaseId, JET_errBackupInProgress is NOT returned (DDL is
 * logged like any change). */
JET_ERR JET_API JetCreateTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                               unsigned long lPages, unsigned long lDensity, JET_TABLEID *ptableid);
/* Opens a cursor on a table. Errors: JET_errObjectNotFound, JET_errInvalidDatabaseId. */
JET_ERR JET_API JetOpenTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                             const void *pvParameters, unsigned long cbParameters, JET_GRBIT grbit,
                             JET_TABLEID *ptableid);
JET_ERR JET_API JetCloseTable(JET_SESID sesid, JET_TABLEID tableid);
/* Deletes a table and frees its pages. Errors: JET_errObjectNotFound, JET_errTableInUse. */
JET_ERR JET_API JetDeleteTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName);

/* Adds a column. Types: Bit, UnsignedByte, Short, UnsignedShort, Long, UnsignedLong, LongLong,
 * Currency, IEEESingle, IEEEDouble, DateTime, GUID, Binary, Text, LongBinary, LongText.
 * grbit: JET_bitColumnFixed, JET_bitColumnTagged, JET_bitColumnNotNULL, JET_bitColumnAutoincrement
 * (Long or Currency/LongLong; one per table). Errors: JET_errColumnDuplicate,
 * JET_errInvalidColumnType, JET_errInvalidName, JET_errTooManyColumns, JET_errInvalidParameter,
 * JET_errColumnRedundant (a second autoincrement column). */
JET_ERR JET_API JetAddColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                             const JET_COLUMNDEF *pcolumndef, const void *pvDefault,
                             unsigned long cbDefault, JET_COLUMNID *pcolumnid);
/* Column information (InfoLevel JET_ColInfo fills a JET_COLUMNDEF).
 * Errors: JET_errColumnNotFound, JET_errBufferTooSmall, JET_errObjectNotFound. */
JET_ERR JET_API JetGetTableColumnInfo(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                                      void *pvResult, unsigned long cbMax, unsigned long InfoLevel);
JET_ERR JET_API JetGetColumnInfo(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                 JET_PCSTR szColumnName, void *pvResult, unsigned long cbMax,
                                 unsigned long InfoLevel);

/* Creates the table's primary (clustered) index: grbit must include JET_bitIndexPrimary; the key
 * description is ESE's: "+col1\0-col2\0\0" ('+' ascending, '-' descending), cbKey its length
 * including the final NULs. Must be created while the table is empty. JET_bitIndexUnique is
 * implied for a primary index. Errors: JET_errIndexHasPrimary, JET_errColumnNotFound,
 * JET_errInvalidParameter (bad key description), JET_errIndexDuplicate,
 * JET_errTableNotEmpty, JET_errIndexInvalidDef (secondary indexes are not supported yet). */
JET_ERR JET_API JetCreateIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                               JET_GRBIT grbit, const char *szKey, unsigned long cbKey,
                               unsigned long lDensity);
/* Selects the index a cursor walks: the primary index by its name or NULL.
 * Errors: JET_errIndexNotFound. */
JET_ERR JET_API JetSetCurrentIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName);

/* ---- transactions -------------------------------------------------------------------------------- */

/* Begins a transaction (nesting up to 7 levels; changes become visible to others only when the
 * outermost level commits). Errors: JET_errTransTooDeep, JET_errInvalidSesid, entry gate codes. */
JET_ERR JET_API JetBeginTransaction(JET_SESID sesid);
JET_ERR JET_API JetBeginTransaction2(JET_SESID sesid, JET_GRBIT grbit);
/* Commits the innermost level. At the outermost level the changes are applied and logged; the call
 * returns once the commit is durable (group commit shares one fsync among concurrent commits)
 * unless grbit has JET_bitCommitLazyFlush. Errors: JET_errNotInTransaction,
 * JET_errInstanceUnavailable / JET_errLogWriteFail (the log could not be written: the commit is
 * not durable and the instance is unusable), JET_errLogDiskFull. */
JET_ERR JET_API JetCommitTransaction(JET_SESID sesid, JET_GRBIT grbit);
/* Undoes the innermost level (JET_bitRollbackAll: every level). Errors: JET_errNotInTransaction. */
JET_ERR JET_API JetRollback(JET_SESID sesid, JET_GRBIT grbit);

/* ---- records ------------------------------------------------------------------------------------- */

/* Starts building a record: JET_prepInsert (new record), JET_prepReplace (the current record;
 * write-locked), JET_prepReplaceNoLock, JET_prepInsertCopy, JET_prepCancel.
 * An insert outside a transaction is its own transaction at JetUpdate (as in ESE); a replace needs
 * one: JET_errNotInTransaction. JET_errNoCurrentRecord (replace without a current record);
 * JET_errWriteConflict (another session's transaction updated the record); JET_errAlreadyPrepared;
 * JET_errUpdateNotPrepared (cancel without prepare). */
JET_ERR JET_API JetPrepareUpdate(JET_SESID sesid, JET_TABLEID tableid, unsigned long prep);
/* Sets a column of the record being built. pvData NULL / cbData 0 sets NULL unless
 * JET_bitSetZeroLength. JET_bitSetAppendLV appends to a long value. Records up to JET_cbRecordMostX
 * (1 MiB and more; long values span pages). Errors: JET_errUpdateNotPrepared,
 * JET_errColumnNotFound, JET_errInvalidBufferSize (wrong size for a fixed type),
 * JET_errColumnTooBig, JET_errRecordTooBig, JET_errInvalidParameter. */
JET_ERR JET_API JetSetColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                             const void *pvData, unsigned long cbData, JET_GRBIT grbit,
                             JET_SETINFO *psetinfo);
/* Stores the record built since JetPrepareUpdate (in the session's transaction). The cursor is
 * positioned on it afterwards only for a replace (ESE's rule). Returns the bookmark (its primary
 * key) when pvBookmark is given. Errors: JET_errUpdateNotPrepared, JET_errKeyDuplicate,
 * JET_errNullKeyDisallowed, JET_errWriteConflict, JET_errRecordTooBig, JET_errBufferTooSmall
 * (bookmark buffer). */
JET_ERR JET_API JetUpdate(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                          unsigned long cbBookmark, unsigned long *pcbActual);
JET_ERR JET_API JetUpdate2(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                           unsigned long cbBookmark, unsigned long *pcbActual, const JET_GRBIT grbit);
/* Deletes the current record (in the session's transaction). Errors: JET_errNoCurrentRecord,
 * JET_errWriteConflict. */
JET_ERR JET_API JetDelete(JET_SESID sesid, JET_TABLEID tableid);

/* Builds a search key one column at a time (JET_bitNewKey starts a new key; JET_bitStrLimit,
 * JET_bitSubStrLimit, JET_bitFullColumnStartLimit/EndLimit, JET_bitPartialColumnStartLimit/
 * EndLimit make a range limit; JET_bitNormalizedKey takes pvData as a normalized key;
 * JET_bitKeyDataZeroLength a zero-length value). Errors: JET_errKeyNotMade (no NewKey first),
 * JET_errKeyIsMade (more segments than the index has), JET_errKeyTooBig is a warning
 * (JET_wrnKeyChanged) when truncated, JET_errInvalidBufferSize. */
JET_ERR JET_API JetMakeKey(JET_SESID sesid, JET_TABLEID tableid, const void *pvData,
                           unsigned long cbData, JET_GRBIT grbit);
/* Positions on the index entry matching the key built by JetMakeKey: JET_bitSeekEQ, SeekLT,
 * SeekLE, SeekGE, SeekGT; JET_bitSetIndexRange with EQ also sets a range. Returns JET_wrnSeekNotEqual
 * when an inexact seek landed on another key. Errors: JET_errKeyNotMade, JET_errRecordNotFound
 * (no such entry; the cursor position is then undefined). */
JET_ERR JET_API JetSeek(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit);
/* Moves the cursor: JET_MoveFirst, JET_MoveLast, JET_MoveNext, JET_MovePrevious or by cRow rows.
 * JET_bitMoveKeyNE skips entries with the same key. Errors: JET_errNoCurrentRecord (past either
 * end; the cursor stays before the first / after the last entry), JET_errRecordNotFound. */
JET_ERR JET_API JetMove(JET_SESID sesid, JET_TABLEID tableid, long cRow, JET_GRBIT grbit);
/* Sets or clears an index range from the key built by JetMakeKey (JET_bitRangeUpperLimit,
 * JET_bitRangeInclusive, JET_bitRangeRemove). Errors: JET_errKeyNotMade, JET_errNoCurrentRecord. */
JET_ERR JET_API JetSetIndexRange(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit);
/* Reads a column of the current record, or of the copy being built with JET_bitRetrieveCopy.
 * Returns JET_wrnColumnNull (NULL, *pcbActual 0) or JET_wrnBufferTruncated (cbData too small;
 * *pcbActual the full size). pretinfo->ibLongValue reads a long value from an offset.
 * Errors: JET_errNoCurrentRecord, JET_errColumnNotFound, JET_errInvalidParameter. */
JET_ERR JET_API JetRetrieveColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                                  void *pvData, unsigned long cbData, unsigned long *pcbActual,
                                  JET_GRBIT grbit, JET_RETINFO *pretinfo);
/* The normalized key of the current record (JET_bitRetrieveCopy: of the key being made).
 * Errors: JET_errNoCurrentRecord, JET_errKeyNotMade; JET_wrnBufferTruncated. */
JET_ERR JET_API JetRetrieveKey(JET_SESID sesid, JET_TABLEID tableid, void *pvKey, unsigned long cbMax,
                               unsigned long *pcbActual, JET_GRBIT grbit);
/* The bookmark (primary key) of the current record, and moving back to it. */
JET_ERR JET_API JetGetBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                               unsigned long cbMax, unsigned long *pcbActual);
JET_ERR JET_API JetGotoBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                                unsigned long cbBookmark);

/* ---- external backup (see spec/backup-api.md for the phase rules) --------------------------------
 * Legacy forms act on the one-instance-mode instance: in multi-instance mode they return
 * JET_errRunningInMultiInstanceMode, with no mode yet JET_errInvalidParameter. */

/* Begins a backup: grbit 0 = full, JET_bitBackupIncremental = incremental. Pins every log
 * generation from the checkpoint's on; event 210 (full) / 211 (incremental).
 * Errors: entry gate; JET_errInvalidGrbit (any other bit); JET_errBackupNotAllowedYet (init/term
 * under way); JET_errLoggingDisabled (recovery off); JET_errInvalidBackup (incremental with circular
 * logging); JET_errBackupInProgress; JET_errMissingFullBackup + event 206 (incremental, an attached
 * database has no full backup). */
JET_ERR JET_API JetBeginExternalBackup(JET_GRBIT grbit);
JET_ERR JET_API JetBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit);
/* The attached databases' paths as a double-NUL-terminated list; copies min(cbMax, needed) bytes,
 * *pcbActual = needed. Errors: JET_errNoBackup, JET_errBackupAbortByServer,
 * JET_errInvalidBackupSequence (incremental backup). */
JET_ERR JET_API JetGetAttachInfo(void *szzDatabases, unsigned long cbMax, unsigned long *pcbActual);
JET_ERR JET_API JetGetAttachInfoInstance(JET_INSTANCE instance, void *szzDatabases,
                                         unsigned long cbMax, unsigned long *pcbActual);
/* Opens one file of the backup for sequential reading (one handle at a time). A database's size is
 * its streamed size: 2 header pages + data pages + 1 trailer page. Event 220.
 * Errors: JET_errNoBackup; JET_errBackupAbortByServer; JET_errInvalidParameter (empty name);
 * JET_errOutOfMemory (a handle is already open; the backup goes on); JET_errInvalidBackupSequence
 * (a database after the log call or in an incremental backup: the backup ends);
 * JET_errDatabaseNotFound (a log file before the log call, or an unknown file; the backup goes on);
 * JET_errMissingFileToBackup + event 459 (a listed log is missing: the backup ends). */
JET_ERR JET_API JetOpenFile(JET_PCSTR szFileName, JET_HANDLE *phfFile, unsigned long *pulFileSizeLow,
                            unsigned long *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileInstance(JET_INSTANCE instance, JET_PCSTR szFileName, JET_HANDLE *phfFile,
                                    unsigned long *pulFileSizeLow, unsigned long *pulFileSizeHigh);
/* Reads the next bytes of the open file. cb: a non-zero multiple of the page size; the first read
 * of a database covers at least 3 pages, of a log at least 2. Every page is verified. At end of
 * file returns success with *pcbActual 0. Errors: JET_errNoBackup; JET_errBackupAbortByServer;
 * JET_errInvalidParameter (size rules, bad handle); JET_errReadVerifyFailure + event 217 (a database
 * page failed verification: that database is failed and its handle closed, the backup goes on);
 * JET_errLogReadVerifyFailure + event 218 (a log failed verification: the backup ends). */
JET_ERR JET_API JetReadFile(JET_HANDLE hfFile, void *pv, unsigned long cb, unsigned long *pcbActual);
JET_ERR JET_API JetReadFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile, void *pv,
                                    unsigned long cb, unsigned long *pcbActual);
/* Closes the open file: read to its end it counts as copied (event 221), else event 222.
 * Works after JetStopBackup. Errors: JET_errNoBackup; JET_errInvalidParameter (bad handle). */
JET_ERR JET_API JetCloseFile(JET_HANDLE hfFile);
JET_ERR JET_API JetCloseFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile);
/* The log generations the backup needs, as a double-NUL-terminated list of paths. The first call
 * rolls the log so every listed generation is closed and moves the backup to its log phase; later
 * calls return the same list. Event 223. Errors: JET_errNoBackup; JET_errBackupAbortByServer;
 * JET_errInvalidBackupSequence (a file handle is still open); JET_errMissingFileToBackup + event 459
 * (incremental: a generation after the last full or incremental backup is missing). */
JET_ERR JET_API JetGetLogInfo(void *szzLogs, unsigned long cbMax, unsigned long *pcbActual);
JET_ERR JET_API JetGetLogInfoInstance(JET_INSTANCE instance, void *szzLogs, unsigned long cbMax,
                                      unsigned long *pcbActual);
JET_ERR JET_API JetGetLogInfoInstance2(JET_INSTANCE instance, void *szzLogs, unsigned long cbMax,
                                       unsigned long *pcbActual, JET_LOGINFO *pLogInfo);
/* The generations JetTruncateLog would delete now (paths, double-NUL-terminated). Same errors. */
JET_ERR JET_API JetGetTruncateLogInfoInstance(JET_INSTANCE instance, void *szzLogs,
                                              unsigned long cbMax, unsigned long *pcbActual);
/* Deletes, oldest first, the generations no longer needed (below the checkpoint and the backup's
 * genHigh + 1, and for a full backup below the previous full backup's genHigh of any database not
 * fully copied). Events 224 / 225 (nothing to delete) / 227 (some were already missing).
 * Errors: JET_errNoBackup; JET_errBackupAbortByServer; JET_errInvalidBackupSequence (a handle open
 * or no log call yet); JET_errLogFileNotCopied + event 520 (a listed log not read to its end). */
JET_ERR JET_API JetTruncateLog(void);
JET_ERR JET_API JetTruncateLogInstance(JET_INSTANCE instance);
/* Ends the backup (the first two forms mean JET_bitBackupEndNormal). grbit: exactly one of
 * JET_bitBackupEndNormal / JET_bitBackupEndAbort, optionally JET_bitBackupTruncateDone.
 * Always clears the backup and unpins the logs, then returns: errBackupAbortByCaller + event 215
 * (EndAbort, or EndNormal before the log call); JET_errBackupAbortByServer + event 226 (after
 * JetStopBackup); otherwise success + event 213 with the database headers updated (full/copy/
 * incremental/differential). Errors: entry gate; JET_errNoBackup; JET_errInvalidParameter. */
JET_ERR JET_API JetEndExternalBackup(void);
JET_ERR JET_API JetEndExternalBackupInstance(JET_INSTANCE instance);
JET_ERR JET_API JetEndExternalBackupInstance2(JET_INSTANCE instance, JET_GRBIT grbit);
/* Sets the instance's stop flag (success even with no backup running; the next begin clears it).
 * Afterwards every call of the running backup but JetCloseFile and the end call returns
 * JET_errBackupAbortByServer. */
JET_ERR JET_API JetStopBackup(void);
JET_ERR JET_API JetStopBackupInstance(JET_INSTANCE instance);

/* ---- hard recovery -------------------------------------------------------------------------------
 * Restores backed-up databases (rgrstmap: original path -> restored copy) by replaying the backup's
 * logs genLow..genHigh from szBackupLogPath, then rolling forward through later logs in szLogPath
 * that chain; the databases end in clean-shutdown state at szNewDatabaseName. The checkpoint is
 * written to szCheckpointFilePath. Progress: pfn(JET_snpRestore, JET_sntBegin/Progress/Complete).
 * Errors: JET_errRunningInOneInstanceMode; JET_errMissingRestoreLogFiles; JET_errGivenLogFileHasBadSignature;
 * JET_errGivenLogFileIsNotContiguous; JET_errExistingLogFileHasBadSignature;
 * JET_errExistingLogFileIsNotContiguous; JET_errMissingCurrentLogFiles;
 * JET_errRestoreOfNonBackupDatabase; JET_errDatabasePatchFileMismatch;
 * JET_errStartingRestoreLogTooHigh; JET_errEndingRestoreLogTooLow; JET_errDatabaseCorrupted;
 * JET_errInvalidParameter; JET_errDatabaseNotFound (a map entry matching no logged database).
 * When szTargetInstanceName names a live instance, that instance is under restore while this runs:
 * its calls fail with JET_errRestoreInProgress. Events 204 (start), 430-435 (the checks), 450,
 * 457, 458 (later logs), 454 (failure), 205 (end). */
JET_ERR JET_API JetExternalRestore(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                   JET_RSTMAP *rgrstmap, long crstfilemap, JET_PSTR szBackupLogPath,
                                   long genLow, long genHigh, JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestore2(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                    JET_RSTMAP *rgrstmap, long crstfilemap, JET_PSTR szBackupLogPath,
                                    JET_LOGINFO *pLogInfo, JET_PSTR szTargetInstanceName,
                                    JET_PSTR szTargetInstanceLogPath,
                                    JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn);

/* ==== EXTENSIONS (not in ESE) ===================================================================== */

/* EXTENSION: a code's name ("JET_errNoBackup") and a one-line message. Unknown codes give the
 * name "JET_errUnknown" ("JET_wrnUnknown" when positive) and the message "unknown error code".
 * Never NULL; the strings are static. */
const char *JetXErrorName(JET_ERR err);
const char *JetXErrorMessage(JET_ERR err);

/* EXTENSION: reads a backup file at any offset, as the server's HTTP range requests need. name is
 * a file of the running backup as listed by JetGetAttachInfo / JetGetLogInfo (its full path or
 * base name). Same phase rules and verification as JetOpenFile/JetReadFile, same streamed layout,
 * any offset and length, many concurrent callers, no handle. *pcbActual < cb only at end of file.
 * The engine records which byte ranges of each file were delivered; a file counts as read to its
 * end once every byte has been delivered at least once, by either read path.
 * Errors: those of JetOpenFile and JetReadFile (JET_errInvalidBackupSequence,
 * JET_errDatabaseNotFound, JET_errReadVerifyFailure, JET_errLogReadVerifyFailure, ...). */
JET_ERR JetXReadFileAt(JET_INSTANCE instance, const char *szFileName, unsigned long long ibOffset,
                       void *pv, unsigned long cb, unsigned long *pcbActual);

/* EXTENSION: begins a backup carrying a caller's tag (e.g. a catalog id), reported in its events
 * as the backup id. JetBeginExternalBackupInstance uses the engine's own serial number. */
JET_ERR JetXBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit,
                                        unsigned long long ullBackupId);

/* EXTENSION: the state of the running backup and of each of its files. */
#define JET_XBACKUP_FILES_MAX 512 /* files JET_XBACKUPINFO lists: databases, then log generations */
typedef enum {
    JET_XBACKUP_PHASE_NONE = 0, /* no backup */
    JET_XBACKUP_PHASE_DATABASE, /* after begin */
    JET_XBACKUP_PHASE_LOGS,     /* after the log call */
    JET_XBACKUP_PHASE_TRUNCATED /* after JetTruncateLog */
} JET_XBACKUP_PHASE;
typedef struct {
    char szName[1024];                /* path as the backup lists it */
    unsigned long fIsLog;             /* 0 database, 1 log generation */
    unsigned long long cbSize;        /* streamed size in bytes */
    unsigned long long cbDelivered;   /* distinct bytes delivered so far */
    unsigned long fComplete;          /* every byte delivered */
    unsigned long fFailed;            /* failed verification (database) */
} JET_XBACKUP_FILE;
typedef struct {
    unsigned long long ullBackupId;
    unsigned long phase;     /* JET_XBACKUP_PHASE */
    unsigned long fIncremental;
    unsigned long fStopped;  /* JetStopBackup was called */
    unsigned long ulGenLow;  /* after the log call, else 0 */
    unsigned long ulGenHigh;
    unsigned long cFiles;    /* databases in phase DATABASE, then databases + logs (at most
                                JET_XBACKUP_FILES_MAX are listed; a backup holds no more) */
    JET_XBACKUP_FILE rgFiles[JET_XBACKUP_FILES_MAX];
} JET_XBACKUPINFO;
/* Fills *pinfo (phase NONE when no backup runs). Errors: the entry gate's codes. */
JET_ERR JetXGetBackupInfo(JET_INSTANCE instance, JET_XBACKUPINFO *pinfo);

/* EXTENSION: instance state for monitoring. */
typedef struct {
    char szName[64];
    unsigned long fInitialized;
    unsigned long fUnavailable;          /* a fatal error made it unusable */
    unsigned long ulCurrentGeneration;   /* generation of edb.log */
    unsigned long ulCheckpointGeneration;
    unsigned long long cCommits;         /* transactions committed since JetInit */
    unsigned long long cLogBytes;        /* log bytes written since JetInit */
    unsigned long long cLogFlushes;      /* log fsyncs since JetInit */
    unsigned long cDatabases;
    char szLogPath[1024];
    char szSystemPath[1024];
    char rgszDatabases[8][1024];
} JET_XINSTANCEINFO;
JET_ERR JetXGetInstanceInfo(JET_INSTANCE instance, JET_XINSTANCEINFO *pinfo);
/* EXTENSION: look an instance up by the name given to JetCreateInstance. JET_errInvalidInstance
 * when none has it. */
JET_ERR JetXGetInstanceByName(const char *szName, JET_INSTANCE *pinstance);

/* EXTENSION: events. The engine calls the registered function for every event it logs, on the
 * thread that caused it, without engine locks held that the callback could need (it may call
 * JetXGetBackupInfo but must not begin or end backups). */
typedef enum { JET_XEVENT_INFO = 0, JET_XEVENT_WARNING = 1, JET_XEVENT_ERROR = 2 } JET_XEVENT_LEVEL;
typedef struct {
    unsigned long ulEventId;      /* ESE's event id: 210, 213, 217, ... */
    unsigned long level;          /* JET_XEVENT_LEVEL */
    const char *szInstance;       /* instance name */
    const char *szCategory;       /* "Logging/Recovery" */
    const char *szMessage;        /* the message with its parameters filled in */
    unsigned long long ullBackupId; /* the backup it belongs to, 0 for none */
    long long llTimeMicros;       /* wall-clock time, microseconds since 1970 */
    JET_ERR err;                  /* the code the event reports, 0 when none */
} JET_XEVENT;
typedef void (*JET_PFNXEVENT)(const JET_XEVENT *pevent, void *pvContext);
/* Registers the process-wide event callback (NULL to remove). */
JET_ERR JetXSetEventCallback(JET_PFNXEVENT pfn, void *pvContext);

/* EXTENSION: fault points, for tests. Each armed fault matches one kind of system call on files
 * whose path contains szPathContains ("" or NULL: every file); the first cSkip matching calls run
 * normally, the next cFail (0: all further) are faulted. Unarmed, they cost one load and branch. */
typedef enum {
    JET_XFAULT_READ = 1,
    JET_XFAULT_WRITE,
    JET_XFAULT_FSYNC,
    JET_XFAULT_OPEN,
    JET_XFAULT_RENAME,
    JET_XFAULT_UNLINK,
    JET_XFAULT_ALLOCATE,
    JET_XFAULT_TERM_PAUSE, /* JetTerm blocks after its entry until JetXFaultResume */
    JET_XFAULT_INIT_PAUSE  /* JetInit blocks (the instance initialising) until JetXFaultResume */
} JET_XFAULT_OP;
typedef enum {
    JET_XFAULT_FAIL = 0,    /* the call fails with errnoValue */
    JET_XFAULT_TORN = 1,    /* a write stores only its first half (rounded to 512 bytes) and
                               reports success, as a torn write at power loss */
    JET_XFAULT_SHORT = 2,   /* a write stores its first half, then fails with errnoValue */
    JET_XFAULT_CORRUPT = 3, /* a read returns data with one byte flipped */
    JET_XFAULT_CRASH = 4,   /* the process exits with _exit(99) inside the call (crash tests) */
    JET_XFAULT_TORN_EXIT = 5, /* a write stores its first half, then the process exits with
                                 _exit(99): a power loss in the middle of a write */
    JET_XFAULT_DELAY = 6      /* the call waits ulDelayMs milliseconds, then runs normally (a
                                 slow disk); it does not hide another fault armed on the call */
} JET_XFAULT_MODE;
typedef struct {
    unsigned long op;   /* JET_XFAULT_OP */
    unsigned long mode; /* JET_XFAULT_MODE */
    const char *szPathContains;
    unsigned long cSkip;
    unsigned long cFail;
    int errnoValue;     /* EIO, ENOSPC, ... */
    unsigned long ulDelayMs; /* JET_XFAULT_DELAY: how long each matching call waits */
} JET_XFAULT;
/* Arms a fault (up to 8 at once). Errors: JET_errInvalidParameter, JET_errOutOfMemory (full). */
JET_ERR JetXFaultSet(const JET_XFAULT *pfault);
/* Disarms every fault and releases a paused JetTerm or JetInit. */
void JetXFaultClear(void);
/* Releases a JetTerm or JetInit held by a pause fault. */
void JetXFaultResume(void);
/* How many calls the faults have hit so far. */
unsigned long JetXFaultHits(void);

#ifdef __cplusplus
}
#endif
#endif /* HOTCOPY_JET_H */
