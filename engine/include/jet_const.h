/*
 * jet_const.h — Microsoft ESE's numeric constants, with ESE's names and values.
 *
 * Included by jet.h (after the basic types it uses); include jet.h, not this file. Holds the
 * nil handles, limits, system/session/database parameter ids and their values, every grbit family
 * of the calls in jet.h (and of ESE calls libjet does not provide, so programs that name them
 * compile), column types, info levels, database states, file types and status-notification codes.
 * Nothing is conditional on JET_VERSION: libjet exposes everything.
 *
 * Names and values are ESE's; a few ESE values (JET_MoveFirst, JET_dbidNil) assume a 32-bit long,
 * see their sections. libjet's own additions are marked EXTENSION and end in X.
 */
#ifndef HOTCOPY_JET_CONST_H
#define HOTCOPY_JET_CONST_H

/* ---- Nil handles and ids --------------------------------------------------------------------- */
/* JET_DBID is an unsigned long (64 bits here): JET_dbidNil is 0xFFFFFFFF, not ~0. */
#define JET_instanceNil (~(JET_INSTANCE)0)
#define JET_sesidNil (~(JET_SESID)0)
#define JET_tableidNil (~(JET_TABLEID)0)
#define JET_columnidNil (~(JET_COLUMNID)0)
#define JET_bitNil ((JET_GRBIT)0)
#define JET_dbidNil ((JET_DBID)0xFFFFFFFF)
#define JET_dbidNoValid ((JET_DBID)0xFFFFFFFE)
#define JET_LSNil (~(JET_LS)0)

/* ---- Limits ---------------------------------------------------------------------------------- */
#define JET_cbBookmarkMost 256
#define JET_cbBookmarkMostMost JET_cbKeyMostMost
#define JET_cbNameMost 64
#define JET_cbFullNameMost 255
#define JET_cbColumnLVPageOverhead 82
#define JET_cbLVDefaultValueMost 255
#define JET_cbColumnMost 255
#define JET_cbLVColumnMost 0x7FFFFFFF
#define JET_cbKeyMostMost JET_cbKeyMost32KBytePage
#define JET_cbKeyMost32KBytePage JET_cbKeyMost8KBytePage
#define JET_cbKeyMost16KBytePage JET_cbKeyMost8KBytePage
#define JET_cbKeyMost8KBytePage 2000
#define JET_cbKeyMost4KBytePage 1000
#define JET_cbKeyMost2KBytePage 500
#define JET_cbKeyMostMin 255
#define JET_cbKeyMost 255
#define JET_cbLimitKeyMost 256
#define JET_cbPrimaryKeyMost 255
#define JET_cbSecondaryKeyMost 255
#define JET_ccolKeyMost 16
#define JET_ccolMost 0x0000fee0
#define JET_ccolFixedMost 0x0000007f
#define JET_ccolVarMost 0x00000080
#define JET_ccolTaggedMost (JET_ccolMost - 0x000000ff)
#define JET_MAX_COMPUTERNAME_LENGTH 15
#define JET_cbCallbackUserDataMost 1024
#define JET_cbCallbackDataAllMost 4096
#define JET_BASE_NAME_LENGTH 3
#define JET_resTagSize 4

/* ---- EXTENSION (not in ESE): libjet's own limits --------------------------------------------- */
/* The largest record libjet stores, 1 MiB + 64 KiB, counting long values (they span pages). */
#define JET_cbRecordMostX (1024UL * 1024UL + 64UL * 1024UL)

/* ---- System parameters: the paramid of JetSetSystemParameter / JetGetSystemParameter --------- */
/* JET_paramRecovery takes a string: "On" (the default: log and recover) or "Off" (no logging,
 * no recovery). Integer parameters go in lParam, strings in szParam. */
#define JET_paramSystemPath 0
#define JET_paramTempPath 1
#define JET_paramLogFilePath 2
#define JET_paramBaseName 3
#define JET_paramEventSource 4
#define JET_paramMaxSessions 5
#define JET_paramMaxOpenTables 6
#define JET_paramPreferredMaxOpenTables 7
#define JET_paramMaxCursors 8
#define JET_paramMaxVerPages 9
#define JET_paramMaxTemporaryTables 10
#define JET_paramLogFileSize 11
#define JET_paramLogBuffers 12
#define JET_paramWaitLogFlush 13
#define JET_paramLogCheckpointPeriod 14
#define JET_paramLogWaitingUserMax 15
#define JET_paramCommitDefault 16
#define JET_paramCircularLog 17
#define JET_paramDbExtensionSize 18
#define JET_paramPageTempDBMin 19
#define JET_paramPageFragment 20
#define JET_paramPageReadAheadMax 21
#define JET_paramBatchIOBufferMax 22
#define JET_paramCacheSizeMax 23
#define JET_paramCheckpointDepthMax 24
#define JET_paramLRUKCorrInterval 25
#define JET_paramLRUKHistoryMax 26
#define JET_paramLRUKPolicy 27
#define JET_paramLRUKTimeout 28
#define JET_paramLRUKTrxCorrInterval 29
#define JET_paramOutstandingIOMax 30
#define JET_paramStartFlushThreshold 31
#define JET_paramStopFlushThreshold 32
#define JET_paramTableClassName 33
#define JET_paramRecovery 34
#define JET_paramOnLineCompact 35
#define JET_paramEnableOnlineDefrag 35
#define JET_paramAssertAction 36
#define JET_paramPrintFunction 37
#define JET_paramTransactionLevel 38
#define JET_paramRFS2IOsPermitted 39
#define JET_paramRFS2AllocsPermitted 40
#define JET_paramCacheSize 41
#define JET_paramCacheRequests 42
#define JET_paramCacheHits 43
#define JET_paramCheckFormatWhenOpenFail 44
#define JET_paramEnableIndexChecking 45
#define JET_paramEnableTempTableVersioning 46
#define JET_paramIgnoreLogVersion 47
#define JET_paramDeleteOldLogs 48
#define JET_paramEventSourceKey 49
#define JET_paramNoInformationEvent 50
#define JET_paramEventLoggingLevel 51
#define JET_paramDeleteOutOfRangeLogs 52
#define JET_paramAccessDeniedRetryPeriod 53
#define JET_paramEnableIndexCleanup 54
#define JET_paramFlight_SmoothIoTestPermillage 55
#define JET_paramElasticWaypointLatency 56
#define JET_paramFlight_SynchronousLVCleanup 57
#define JET_paramFlight_RBSRevertIOUrgentLevel 58
#define JET_paramFlight_EnableXpress10Compression 59
#define JET_paramCacheSizeMin 60
#define JET_paramLogFileFailoverPath 61
#define JET_paramEnableImprovedSeekShortcut 62
#define JET_paramPreferredVerPages 63
#define JET_paramDatabasePageSize 64
#define JET_paramDisableCallbacks 65
#define JET_paramBackupChunkSize 66
#define JET_paramBackupOutstandingReads 67
#define JET_paramFlight_RBSMaxTableDeletePages 68
#define JET_paramLogFileCreateAsynch 69
#define JET_paramErrorToString 70
#define JET_paramZeroDatabaseDuringBackup 71
#define JET_paramUnicodeIndexDefault 72
#define JET_paramRuntimeCallback 73
#define JET_paramEnableSortedRetrieveColumns 76
#define JET_paramCleanupMismatchedLogFiles 77
#define JET_paramRecordUpgradeDirtyLevel 78
#define JET_paramRecoveryCurrentLogfile 79
#define JET_paramFlight_RBSForceRollIntervalSec 80
#define JET_paramGlobalMinVerPages 81
#define JET_paramOSSnapshotTimeout 82
#define JET_paramFlight_NewQueueOptions 84
#define JET_paramFlight_ConcurrentMetedOps 85
#define JET_paramFlight_LowMetedOpsThreshold 86
#define JET_paramFlight_MetedOpStarvedThreshold 87
#define JET_paramFlight_MaxRBSBuffers 88
#define JET_paramFlight_EnableShrinkArchiving 89
#define JET_paramFlight_EnableBackupDuringRecovery 90
#define JET_paramFlight_RBSRollIntervalSec 91
#define JET_paramFlight_RBSMaxRequiredRange 92
#define JET_paramFlight_RBSCleanupEnabled 93
#define JET_paramFlight_RBSLowDiskSpaceThresholdGb 94
#define JET_paramFlight_RBSMaxSpaceWhenLowDiskSpaceGb 95
#define JET_paramFlight_RBSMaxTimeSpanSec 96
#define JET_paramFlight_RBSCleanupIntervalMinSec 97
#define JET_paramExceptionAction 98
#define JET_paramEventLogCache 99
#define JET_paramCreatePathIfNotExist 100
#define JET_paramPageHintCacheSize 101
#define JET_paramOneDatabasePerSession 102
#define JET_paramMaxDatabasesPerInstance 103
#define JET_paramMaxInstances 104
#define JET_paramVersionStoreTaskQueueMax 105
#define JET_paramIdleFlushTime 106
#define JET_paramDisablePerfmon 107
#define JET_paramAbortRetryFailCallback 108
#define JET_paramVAReserve 109
#define JET_paramIndexTuplesLengthMin 110
#define JET_paramIndexTuplesLengthMax 111
#define JET_paramIndexTuplesToIndexMax 112
#define JET_paramAlternateDatabaseRecoveryPath 113
#define JET_paramFlight_ExtentPageCountCacheVerifyOnly 114
#define JET_paramFlight_EnablePgnoFDPLastSetTime 115
#define JET_paramFlight_EnableScanCheck2Flags 116
#define JET_paramDBAPageAvailMin 120
#define JET_paramDBAPageAvailThreshold 121
#define JET_paramDBAK1 122
#define JET_paramDBAK2 123
#define JET_paramMaxRandomIOSize 124
#define JET_paramCachedClosedTables 125
#define JET_paramEnableFileCache 126
#define JET_paramEnableViewCache 127
#define JET_paramVerPageSize 128
#define JET_paramConfiguration 129
#define JET_paramEnableAdvanced 130
#define JET_paramMaxColtyp 131
#define JET_paramIndexTupleIncrement 132
#define JET_paramIndexTupleStart 133
#define JET_paramKeyMost 134
#define JET_paramCheckpointIOMax 135
#define JET_paramLegacyFileNames 136
#define JET_paramTableClass1Name 137
#define JET_paramTableClass2Name 138
#define JET_paramTableClass3Name 139
#define JET_paramTableClass4Name 140
#define JET_paramTableClass5Name 141
#define JET_paramTableClass6Name 142
#define JET_paramTableClass7Name 143
#define JET_paramTableClass8Name 144
#define JET_paramTableClass9Name 145
#define JET_paramTableClass10Name 146
#define JET_paramTableClass11Name 147
#define JET_paramTableClass12Name 148
#define JET_paramTableClass13Name 149
#define JET_paramTableClass14Name 150
#define JET_paramTableClass15Name 151
#define JET_paramIOPriority 152
#define JET_paramWaypointLatency 153
#define JET_paramCheckpointTooDeep 154
#define JET_paramDisableBlockVerification 155
#define JET_paramEnablePersistedCallbacks 156
#define JET_paramAggressiveLogRollover 157
#define JET_paramPeriodicLogRolloverLLR 158
#define JET_paramUsePageDependencies 159
#define JET_paramDefragmentSequentialBTrees 160
#define JET_paramDefragmentSequentialBTreesDensityCheckFrequency 161
#define JET_paramIOThrottlingTimeQuanta 162
#define JET_paramLVChunkSizeMost 163
#define JET_paramMaxCoalesceReadSize 164
#define JET_paramMaxCoalesceWriteSize 165
#define JET_paramMaxCoalesceReadGapSize 166
#define JET_paramMaxCoalesceWriteGapSize 167
#define JET_paramEnableHaPublish 168
#define JET_paramEnableDBScanInRecovery 169
#define JET_paramDbScanThrottle 170
#define JET_paramDbScanIntervalMinSec 171
#define JET_paramDbScanIntervalMaxSec 172
#define JET_paramEmitLogDataCallback 173
#define JET_paramEmitLogDataCallbackCtx 174
#define JET_paramEnableExternalAutoHealing 175
#define JET_paramPatchRequestTimeout 176
#define JET_paramCachePriority 177
#define JET_paramMaxTransactionSize 178
#define JET_paramPrereadIOMax 179
#define JET_paramEnableDBScanSerialization 180
#define JET_paramHungIOThreshold 181
#define JET_paramHungIOActions 182
#define JET_paramMinDataForXpress 183
#define JET_paramEnableShrinkDatabase 184
#define JET_paramProcessFriendlyName 186
#define JET_paramDurableCommitCallback 187
#define JET_paramEnableSqm 188
#define JET_paramConfigStoreSpec 189
#define JET_paramStageFlighting 190
#define JET_paramZeroDatabaseUnusedSpace 191
#define JET_paramDisableVerifications 192
#define JET_paramPersistedLostFlushDetection 193
#define JET_paramEngineFormatVersion 194
#define JET_paramReplayThrottlingLevel 195
#define JET_paramTableClass16Name 196
#define JET_paramTableClass17Name 197
#define JET_paramTableClass18Name 198
#define JET_paramTableClass19Name 199
#define JET_paramTableClass20Name 200
#define JET_paramTableClass21Name 201
#define JET_paramTableClass22Name 202
#define JET_paramTableClass23Name 203
#define JET_paramTableClass24Name 204
#define JET_paramTableClass25Name 205
#define JET_paramTableClass26Name 206
#define JET_paramTableClass27Name 207
#define JET_paramTableClass28Name 208
#define JET_paramTableClass29Name 209
#define JET_paramTableClass30Name 210
#define JET_paramTableClass31Name 211
#define JET_paramBlockCacheConfiguration 212
#define JET_paramRecordSizeMost 213
#define JET_paramUseFlushForWriteDurability 214
#define JET_paramEnableRBS 215
#define JET_paramRBSFilePath 216
#define JET_paramPerfmonRefreshInterval 217
#define JET_paramMaxValueInvalid 218

/* ---- Session parameters ---------------------------------------------------------------------- */
#define JET_sesparamCommitDefault 4097
#define JET_sesparamCommitGenericContext 4098
#define JET_sesparamTransactionLevel 4099
#define JET_sesparamOperationContext 4100
#define JET_sesparamCorrelationID 4101
#define JET_sesparamCachePriority 4102
#define JET_sesparamClientComponentDesc 4103
#define JET_sesparamClientActionDesc 4104
#define JET_sesparamClientActionContextDesc 4105
#define JET_sesparamClientActivityId 4106
#define JET_sesparamIOSessTraceFlags 4107
#define JET_sesparamIOPriority 4108
#define JET_sesparamCommitContextContainsCustomerData 4109
#define JET_sesparamCommitContextNeedPreCommitCallback 4110
#define JET_sesparamMaxValueInvalid 4111

/* ---- Database parameters --------------------------------------------------------------------- */
#define JET_dbparamDbSizeMaxPages 8193
#define JET_dbparamCachePriority 8194
#define JET_dbparamShrinkDatabaseOptions 8195
#define JET_dbparamShrinkDatabaseTimeQuota 8196
#define JET_dbparamShrinkDatabaseSizeLimit 8197
#define JET_dbparamLeakReclaimerEnabled 8198
#define JET_dbparamLeakReclaimerTimeQuota 8199
#define JET_dbparamMaintainExtentPageCountCache 8200
#define JET_dbparamFlight_SelfAllocSpBufReservationEnabled 8201
#define JET_dbparamMaxValueInvalid 8202

/* ---- Values of JET_paramEventLoggingLevel ---------------------------------------------------- */
#define JET_EventLoggingDisable 0
#define JET_EventLoggingLevelMin 1
#define JET_EventLoggingLevelLow 25
#define JET_EventLoggingLevelMedium 50
#define JET_EventLoggingLevelHigh 75
#define JET_EventLoggingLevelMax 100

/* ---- Values of JET_paramEnableIndexChecking -------------------------------------------------- */
#define JET_IndexCheckingOff 0
#define JET_IndexCheckingOn 1
#define JET_IndexCheckingDeferToOpenTable 2
#define JET_IndexCheckingMax 3

/* ---- Values of JET_paramIOPriority and JET_sesparamIOPriority -------------------------------- */
#define JET_IOPriorityNormal 0x0
#define JET_IOPriorityLow 0x1
#define JET_IOPriorityLowForCheckpoint 0x2
#define JET_IOPriorityLowForScavenge 0x4

/* ---- Values of JET_paramConfiguration -------------------------------------------------------- */
#define JET_configDefault 0x0001
#define JET_configRemoveQuotas 0x0002
#define JET_configLowDiskFootprint 0x0004
#define JET_configMediumDiskFootprint 0x0008
#define JET_configLowMemory 0x0010
#define JET_configDynamicMediumMemory 0x0020
#define JET_configLowPower 0x0040
#define JET_configSSDProfileIO 0x0080
#define JET_configRunSilent 0x0100
#define JET_configUnthrottledMemory 0x0200
#define JET_configHighConcurrencyScaling 0x0400

/* ---- Flags of JET_paramLegacyFileNames ------------------------------------------------------- */
#define JET_bitESE98FileNames 0x00000001
#define JET_bitEightDotThreeSoftCompat 0x00000002

/* ---- Flags of JET_paramHungIOActions --------------------------------------------------------- */
#define JET_bitHungIOEvent 0x00000001
#define JET_bitHungIOCancel 0x00000002
#define JET_bitHungIODebug 0x00000004
#define JET_bitHungIOEnforce 0x00000008
#define JET_bitHungIOTimeout 0x00000010

/* ---- Flags of JET_paramPersistedLostFlushDetection ------------------------------------------- */
#define JET_bitPersistedLostFlushDetectionEnabled 0x00000001
#define JET_bitPersistedLostFlushDetectionCreateNew 0x00000002
#define JET_bitPersistedLostFlushDetectionFailOnRuntimeOnly 0x00000004

/* ---- Flags of JET_sesparamIOSessTraceFlags --------------------------------------------------- */
#define JET_bitIOSessTraceReads 0x01
#define JET_bitIOSessTraceWrites 0x02
#define JET_bitIOSessTraceHDD 0x04
#define JET_bitIOSessTraceSSD 0x08

/* ---- Values of JET_paramReplayThrottlingLevel ------------------------------------------------ */
#define JET_ReplayThrottlingNone 0
#define JET_ReplayThrottlingSleep 1

/* ---- Values of JET_paramEnableShrinkDatabase and JET_dbparamShrinkDatabaseOptions ------------ */
#define JET_bitShrinkDatabaseOff 0x0
#define JET_bitShrinkDatabaseOn 0x1
#define JET_bitShrinkDatabaseRealtime 0x2
#define JET_bitShrinkDatabasePeriodically 0x8000
#define JET_bitShrinkDatabaseTrim 0x1
#define JET_bitShrinkDatabaseEofOnAttach 0x00000001
#define JET_bitShrinkDatabaseFullCategorizationOnAttach 0x00000002
#define JET_bitShrinkDatabaseDontMoveRootsOnAttach 0x00000004
#define JET_bitShrinkDatabaseDontTruncateLeakedPagesOnAttach 0x00000008
#define JET_bitShrinkDatabaseDontTruncateIndeterminatePagesOnAttach 0x00000010

/* ---- Values of JET_paramEnableSqm ------------------------------------------------------------ */
#define JET_sqmDisable 0
#define JET_sqmEnable 1
#define JET_sqmFromCEIP 2

/* ---- Values of JET_paramExceptionAction and JET_paramAssertAction ---------------------------- */
#define JET_ExceptionMsgBox 0x0001
#define JET_ExceptionNone 0x0002
#define JET_ExceptionFailFast 0x0004
#define JET_AssertExit 0x0000
#define JET_AssertBreak 0x0001
#define JET_AssertMsgBox 0x0002
#define JET_AssertStop 0x0004
#define JET_AssertSkippableMsgBox 0x0008
#define JET_AssertSkipAll 0x0010
#define JET_AssertCrash 0x0020
#define JET_AssertFailFast 0x0040

/* ---- Values of JET_paramEnableOnlineDefrag --------------------------------------------------- */
#define JET_OnlineDefragDisable 0x0000
#define JET_OnlineDefragAllOBSOLETE 0x0001
#define JET_OnlineDefragDatabases 0x0002
#define JET_OnlineDefragSpaceTrees 0x0004
#define JET_OnlineDefragStreamingFiles 0x0008
#define JET_OnlineDefragAll 0xffff

/* ---- JetInit2 / JetInit3 grbits -------------------------------------------------------------- */
#define JET_bitReplayReplicatedLogFiles 0x00000001
#define JET_bitReplayIgnoreMissingDB 0x00000004
#define JET_bitRecoveryWithoutUndo 0x00000008
#define JET_bitTruncateLogsAfterRecovery 0x00000010
#define JET_bitReplayMissingMapEntryDB 0x00000020
#define JET_bitLogStreamMustExist 0x00000040
#define JET_bitReplayIgnoreLostLogs 0x00000080
#define JET_bitAllowMissingCurrentLog 0x00000100
#define JET_bitAllowSoftRecoveryOnBackup 0x00000200
#define JET_bitSkipLostLogsEvent 0x00000400
#define JET_bitExternalRecoveryControl 0x00000800
#define JET_bitKeepDbAttachedAtEndOfRecovery 0x00001000
#define JET_bitReplayIgnoreLogRecordsBeforeMinRequiredLog 0x00002000
#define JET_bitReplayInferCheckpointFromRstmapDbs 0x00004000

/* ---- Restore map grbits (JET_RSTMAP2) -------------------------------------------------------- */
#define JET_bitRestoreMapIgnoreWhenMissing 0x00000001
#define JET_bitRestoreMapFailWhenMissing 0x00000002
#define JET_bitRestoreMapOverwriteOnCreate 0x00000004

/* ---- JetTerm2 grbits ------------------------------------------------------------------------- */
#define JET_bitTermComplete 0x00000001
#define JET_bitTermAbrupt 0x00000002
#define JET_bitTermStopBackup 0x00000004
#define JET_bitTermDirty 0x00000008

/* ---- JetStopServiceInstance2 grbits ---------------------------------------------------------- */
#define JET_bitStopServiceAll 0x00000000
#define JET_bitStopServiceBackgroundUserTasks 0x00000002
#define JET_bitStopServiceQuiesceCaches 0x00000004
#define JET_bitStopServiceResume 0x80000000
#define JET_bitStopServiceStopAndEmitLog 0x00000008

/* ---- JetIdle grbits -------------------------------------------------------------------------- */
#define JET_bitIdleFlushBuffers 0x00000001
#define JET_bitIdleCompact 0x00000002
#define JET_bitIdleStatus 0x00000004
#define JET_bitIdleVersionStoreTest 0x00000008
#define JET_bitIdleCompactAsync 0x00000010
#define JET_bitIdleAvailBuffersStatus 0x00000020
#define JET_bitIdleWaitForAsyncActivity 0x00000040

/* ---- JetEndSession grbits -------------------------------------------------------------------- */
#define JET_bitForceSessionClosed 0x00000001

/* ---- JetAttachDatabase / JetOpenDatabase grbits ---------------------------------------------- */
#define JET_bitDbReadOnly 0x00000001
#define JET_bitDbExclusive 0x00000002
#define JET_bitDbSingleExclusive 0x00000002
#define JET_bitDbDeleteCorruptIndexes 0x00000010
#define JET_bitDbRebuildCorruptIndexes 0x00000020
#define JET_bitDbDeleteUnicodeIndexes 0x00000400
#define JET_bitDbUpgrade 0x00000200
#define JET_bitDbEnableBackgroundMaintenance 0x00000800
#define JET_bitDbPurgeCacheOnAttach 0x00001000

/* ---- JetDetachDatabase2 grbits --------------------------------------------------------------- */
#define JET_bitForceDetach 0x00000001
#define JET_bitForceCloseAndDetach (0x00000002 | JET_bitForceDetach)

/* ---- JetCreateDatabase grbits ---------------------------------------------------------------- */
#define JET_bitDbRecoveryOff 0x00000008
#define JET_bitDbVersioningOff 0x00000040
#define JET_bitDbShadowingOff 0x00000080
#define JET_bitDbCreateStreamingFile 0x00000100
#define JET_bitDbOverwriteExisting 0x00000200

/* ---- JetBeginExternalBackup(Instance) / JetBackup grbits ------------------------------------- */
#define JET_bitBackupIncremental 0x00000001
#define JET_bitKeepOldLogs 0x00000002
#define JET_bitBackupAtomic 0x00000004
#define JET_bitBackupFullWithAllLogs 0x00000008
#define JET_bitBackupSnapshot 0x00000010
#define JET_bitBackupSurrogate 0x00000020
#define JET_bitInternalCopy 0x00000040

/* ---- JetEndExternalBackupInstance2 grbits ---------------------------------------------------- */
#define JET_bitBackupEndNormal 0x0001
#define JET_bitBackupEndAbort 0x0002
#define JET_bitBackupTruncateDone 0x0100
#define JET_bitBackupNoDbHeaderUpdate 0x0200

/* ---- JetOSSnapshot* grbits ------------------------------------------------------------------- */
#define JET_bitIncrementalSnapshot 0x00000001
#define JET_bitCopySnapshot 0x00000002
#define JET_bitContinueAfterThaw 0x00000004
#define JET_bitExplicitPrepare 0x00000008
#define JET_bitAllDatabasesSnapshot 0x00000001
#define JET_bitAbortSnapshot 0x00000001

/* ---- JetCreateTableColumnIndex grbits -------------------------------------------------------- */
#define JET_bitTableCreateFixedDDL 0x00000001
#define JET_bitTableCreateTemplateTable 0x00000002
#define JET_bitTableCreateNoFixedVarColumnsInDerivedTables 0x00000004
#define JET_bitTableCreateImmutableStructure 0x00000008
#define JET_bitTableCreateSystemTable 0x80000000
#define JET_bitTableCreate 0x20000000

/* ---- JetOpenTable grbits (the class bits select a table statistics class) -------------------- */
#define JET_bitTableDenyWrite 0x00000001
#define JET_bitTableDenyRead 0x00000002
#define JET_bitTableReadOnly 0x00000004
#define JET_bitTableUpdatable 0x00000008
#define JET_bitTablePermitDDL 0x00000010
#define JET_bitTableNoCache 0x00000020
#define JET_bitTablePreread 0x00000040
#define JET_bitTableOpportuneRead 0x00000080
#define JET_bitTableAllowOutOfDate 0x00000100
#define JET_bitAllowPgnoFDPLastSetTime 0x00000200
#define JET_bitTableSequential 0x00008000
#define JET_bitTableTryPurgeOnClose 0x01000000
#define JET_bitTableAllowSensitiveOperation 0x08000000
#define JET_bitTableDelete 0x10000000
#define JET_bitTableClassMask 0x001F0000
#define JET_bitTableClassNone 0x00000000
#define JET_bitTableClass1 0x00010000
#define JET_bitTableClass2 0x00020000
#define JET_bitTableClass3 0x00030000
#define JET_bitTableClass4 0x00040000
#define JET_bitTableClass5 0x00050000
#define JET_bitTableClass6 0x00060000
#define JET_bitTableClass7 0x00070000
#define JET_bitTableClass8 0x00080000
#define JET_bitTableClass9 0x00090000
#define JET_bitTableClass10 0x000A0000
#define JET_bitTableClass11 0x000B0000
#define JET_bitTableClass12 0x000C0000
#define JET_bitTableClass13 0x000D0000
#define JET_bitTableClass14 0x000E0000
#define JET_bitTableClass15 0x000F0000
#define JET_bitTableClass16 0x00100000
#define JET_bitTableClass17 0x00110000
#define JET_bitTableClass18 0x00120000
#define JET_bitTableClass19 0x00130000
#define JET_bitTableClass20 0x00140000
#define JET_bitTableClass21 0x00150000
#define JET_bitTableClass22 0x00160000
#define JET_bitTableClass23 0x00170000
#define JET_bitTableClass24 0x00180000
#define JET_bitTableClass25 0x00190000
#define JET_bitTableClass26 0x001A0000
#define JET_bitTableClass27 0x001B0000
#define JET_bitTableClass28 0x001C0000
#define JET_bitTableClass29 0x001D0000
#define JET_bitTableClass30 0x001E0000
#define JET_bitTableClass31 0x001F0000

/* ---- JetGetTableInfo: flags of JET_OBJECTINFO.grbit ------------------------------------------ */
#define JET_bitTableInfoUpdatable 0x00000001
#define JET_bitTableInfoBookmark 0x00000002
#define JET_bitTableInfoRollback 0x00000004

/* ---- Flags of JET_OBJECTINFO.flags ----------------------------------------------------------- */
#define JET_bitObjectSystem 0x80000000
#define JET_bitObjectTableFixedDDL 0x40000000
#define JET_bitObjectTableTemplate 0x20000000
#define JET_bitObjectTableDerived 0x10000000
#define JET_bitObjectSystemDynamic (JET_bitObjectSystem | 0x08000000)
#define JET_bitObjectTableNoFixedVarColumnsInDerivedTables 0x04000000

/* ---- JetOpenTempTable grbits ----------------------------------------------------------------- */
#define JET_bitTTIndexed 0x00000001
#define JET_bitTTUnique 0x00000002
#define JET_bitTTUpdatable 0x00000004
#define JET_bitTTScrollable 0x00000008
#define JET_bitTTSortNullsHigh 0x00000010
#define JET_bitTTForceMaterialization 0x00000020
#define JET_bitTTErrorOnDuplicateInsertion JET_bitTTForceMaterialization
#define JET_bitTTForwardOnly 0x00000040
#define JET_bitTTIntrinsicLVsOnly 0x00000080
#define JET_bitTTDotNetGuid 0x00000100

/* ---- JetAddColumn / JetGetColumnInfo / JetOpenTempTable column grbits ------------------------ */
#define JET_bitColumnFixed 0x00000001
#define JET_bitColumnTagged 0x00000002
#define JET_bitColumnNotNULL 0x00000004
#define JET_bitColumnVersion 0x00000008
#define JET_bitColumnAutoincrement 0x00000010
#define JET_bitColumnUpdatable 0x00000020
#define JET_bitColumnTTKey 0x00000040
#define JET_bitColumnTTDescending 0x00000080
#define JET_bitColumnMultiValued 0x00000400
#define JET_bitColumnEscrowUpdate 0x00000800
#define JET_bitColumnUnversioned 0x00001000
#define JET_bitColumnMaybeNull 0x00002000
#define JET_bitColumnFinalize 0x00004000
#define JET_bitColumnUserDefinedDefault 0x00008000
#define JET_bitColumnRenameConvertToPrimaryIndexPlaceholder 0x00010000
#define JET_bitColumnDeleteOnZero 0x00020000
#define JET_bitColumnVariable 0x00040000
#define JET_bitColumnCompressed 0x00080000
#define JET_bitColumnEncrypted 0x00100000

/* ---- JetDeleteColumn2 grbits ----------------------------------------------------------------- */
#define JET_bitDeleteColumnIgnoreTemplateColumns 0x00000001

/* ---- JetCreateIndex grbits ------------------------------------------------------------------- */
#define JET_bitIndexUnique 0x00000001
#define JET_bitIndexPrimary 0x00000002
#define JET_bitIndexDisallowNull 0x00000004
#define JET_bitIndexIgnoreNull 0x00000008
#define JET_bitIndexClustered40 0x00000010
#define JET_bitIndexIgnoreAnyNull 0x00000020
#define JET_bitIndexIgnoreFirstNull 0x00000040
#define JET_bitIndexLazyFlush 0x00000080
#define JET_bitIndexEmpty 0x00000100
#define JET_bitIndexUnversioned 0x00000200
#define JET_bitIndexSortNullsHigh 0x00000400
#define JET_bitIndexUnicode 0x00000800
#define JET_bitIndexTuples 0x00001000
#define JET_bitIndexTupleLimits 0x00002000
#define JET_bitIndexCrossProduct 0x00004000
#define JET_bitIndexKeyMost 0x00008000
#define JET_bitIndexDisallowTruncation 0x00010000
#define JET_bitIndexNestedTable 0x00020000
#define JET_bitIndexDotNetGuid 0x00040000
#define JET_bitIndexImmutableStructure 0x00080000

/* ---- Key description flags and JET_CONDITIONALCOLUMN grbits ---------------------------------- */
#define JET_bitIndexColumnMustBeNull 0x00000001
#define JET_bitIndexColumnMustBeNonNull 0x00000002
#define JET_bitKeyAscending 0x00000000
#define JET_bitKeyDescending 0x00000001

/* ---- JetSetCurrentIndex2 grbits -------------------------------------------------------------- */
#define JET_bitMoveFirst 0x00000000
#define JET_bitMoveBeforeFirst 0x00000001
#define JET_bitNoMove 0x00000002

/* ---- JetMakeKey grbits ----------------------------------------------------------------------- */
#define JET_bitNewKey 0x00000001
#define JET_bitStrLimit 0x00000002
#define JET_bitSubStrLimit 0x00000004
#define JET_bitNormalizedKey 0x00000008
#define JET_bitKeyDataZeroLength 0x00000010
#define JET_bitKeyOverridePrimaryIndexPlaceholder 0x00000020
#define JET_maskLimitOptions 0x00000f00
#define JET_bitFullColumnStartLimit 0x00000100
#define JET_bitFullColumnEndLimit 0x00000200
#define JET_bitPartialColumnStartLimit 0x00000400
#define JET_bitPartialColumnEndLimit 0x00000800

/* ---- JetSetIndexRange grbits ----------------------------------------------------------------- */
#define JET_bitRangeInclusive 0x00000001
#define JET_bitRangeUpperLimit 0x00000002
#define JET_bitRangeInstantDuration 0x00000004
#define JET_bitRangeRemove 0x00000008

/* ---- JetGetLock grbits ----------------------------------------------------------------------- */
#define JET_bitReadLock 0x00000001
#define JET_bitWriteLock 0x00000002

/* ---- JetMove: cRow values (any other cRow moves by that many entries) ------------------------ */
/* JET_MoveFirst keeps ESE's literal 0x80000000: as a 64-bit long it is 2147483648, not
 * LONG_MIN, so compare cRow with JET_MoveFirst rather than with a negative number. */
#define JET_MoveFirst (0x80000000)
#define JET_MovePrevious (-1)
#define JET_MoveNext (+1)
#define JET_MoveLast (0x7fffffff)

/* ---- JetMove grbits -------------------------------------------------------------------------- */
#define JET_bitMoveKeyNE 0x00000001

/* ---- JetSeek grbits -------------------------------------------------------------------------- */
#define JET_bitSeekEQ 0x00000001
#define JET_bitSeekLT 0x00000002
#define JET_bitSeekLE 0x00000004
#define JET_bitSeekGE 0x00000008
#define JET_bitSeekGT 0x00000010
#define JET_bitSetIndexRange 0x00000020
#define JET_bitCheckUniqueness 0x00000040

/* ---- JetGotoSecondaryIndexBookmark grbits ---------------------------------------------------- */
#define JET_bitBookmarkPermitVirtualCurrency 0x00000001

/* ---- JET_INDEXRANGE grbits ------------------------------------------------------------------- */
#define JET_bitRecordInIndex 0x00000001
#define JET_bitRecordNotInIndex 0x00000002

/* ---- JetPrepareUpdate: prep values ----------------------------------------------------------- */
#define JET_prepInsert 0
#define JET_prepReplace 2
#define JET_prepCancel 3
#define JET_prepReplaceNoLock 4
#define JET_prepInsertCopy 5
#define JET_prepInsertCopyDeleteOriginal 7
#define JET_prepReadOnlyCopy 8
#define JET_prepInsertCopyReplaceOriginal 9

/* ---- JetUpdate2 grbits ----------------------------------------------------------------------- */
#define JET_bitUpdateCheckESE97Compatibility 0x00000001
#define JET_bitUpdateNoVersion 0x00000002

/* ---- JetEscrowUpdate grbits ------------------------------------------------------------------ */
#define JET_bitEscrowNoRollback 0x0001

/* ---- JetSetColumn grbits --------------------------------------------------------------------- */
#define JET_bitSetAppendLV 0x00000001
#define JET_bitSetOverwriteLV 0x00000004
#define JET_bitSetSizeLV 0x00000008
#define JET_bitSetZeroLength 0x00000020
#define JET_bitSetSeparateLV 0x00000040
#define JET_bitSetUniqueMultiValues 0x00000080
#define JET_bitSetUniqueNormalizedMultiValues 0x00000100
#define JET_bitSetRevertToDefaultValue 0x00000200
#define JET_bitSetIntrinsicLV 0x00000400
#define JET_bitSetUncompressed 0x00010000
#define JET_bitSetCompressed 0x00020000
#define JET_bitSetContiguousLV 0x00040000

/* ---- JetRetrieveColumn grbits ---------------------------------------------------------------- */
#define JET_bitRetrieveCopy 0x00000001
#define JET_bitRetrieveFromIndex 0x00000002
#define JET_bitRetrieveFromPrimaryBookmark 0x00000004
#define JET_bitRetrieveTag 0x00000008
#define JET_bitRetrieveNull 0x00000010
#define JET_bitRetrieveIgnoreDefault 0x00000020
#define JET_bitRetrieveLongId 0x00000040
#define JET_bitRetrieveLongValueRefCount 0x00000080
#define JET_bitRetrieveTuple 0x00000800
#define JET_bitRetrievePageNumber 0x00001000
#define JET_bitRetrieveCopyIntrinsic 0x00002000
#define JET_bitRetrievePrereadOnly 0x00004000
#define JET_bitRetrievePrereadMany 0x00008000
#define JET_bitRetrievePhysicalSize 0x00010000
#define JET_bitRetrieveAsRefIfNotInRecord 0x00020000

/* ---- JET_INDEX_COLUMN grbits ----------------------------------------------------------------- */
#define JET_bitZeroLength 0x00000001

/* ---- JetEnumerateColumns grbits -------------------------------------------------------------- */
#define JET_bitEnumerateCopy JET_bitRetrieveCopy
#define JET_bitEnumerateIgnoreDefault JET_bitRetrieveIgnoreDefault
#define JET_bitEnumerateLocal 0x00010000
#define JET_bitEnumeratePresenceOnly 0x00020000
#define JET_bitEnumerateTaggedOnly 0x00040000
#define JET_bitEnumerateCompressOutput 0x00080000
#define JET_bitEnumerateIgnoreUserDefinedDefault 0x00100000
#define JET_bitEnumerateInRecordOnly 0x00200000
#define JET_bitEnumerateAsRefIfNotInRecord 0x00400000

/* ---- JetGetRecordSize grbits ----------------------------------------------------------------- */
#define JET_bitRecordSizeInCopyBuffer 0x00000001
#define JET_bitRecordSizeRunningTotal 0x00000002
#define JET_bitRecordSizeLocal 0x00000004
#define JET_bitRecordSizeIncludeDefaultValues 0x00000008
#define JET_bitRecordSizeSecondaryIndexKeyOnly 0x00000010
#define JET_bitRecordSizeIntrinsicPhysicalOnly 0x00000020
#define JET_bitRecordSizeExtrinsicLogicalOnly 0x00000040

/* ---- JetBeginTransaction2 grbits ------------------------------------------------------------- */
#define JET_bitTransactionReadOnly 0x00000001
#define JET_bitDistributedTransaction 0x00000002

/* ---- JetCommitTransaction grbits (the _OLD values are ESE's historical ones) ----------------- */
#define JET_bitCommitLazyFlush 0x00000001
#define JET_bitWaitLastLevel0Commit 0x00000002
#define JET_bitWaitAllLevel0Commit 0x00000008
#define JET_bitForceNewLog 0x00000010
#define JET_bitCommitRedoCallback 0x00000020
#define JET_bitCommitFlush_OLD 0x00000001
#define JET_bitCommitLazyFlush_OLD 0x00000004
#define JET_bitWaitLastLevel0Commit_OLD 0x00000010

/* ---- JetRollback grbits ---------------------------------------------------------------------- */
#define JET_bitRollbackAll 0x00000001
#define JET_bitRollbackRedoCallback 0x00000020

/* ---- Durable-commit callback grbits ---------------------------------------------------------- */
#define JET_bitDurableCommitCallbackLogUnavailable 0x00000001

/* ---- JET_SPACEHINTS grbits ------------------------------------------------------------------- */
#define JET_bitSpaceHintsUtilizeParentSpace 0x00000001
#define JET_bitCreateHintAppendSequential 0x00000002
#define JET_bitCreateHintHotpointSequential 0x00000004
#define JET_bitRetrieveHintReserve1 0x00000008
#define JET_bitRetrieveHintTableScanForward 0x00000010
#define JET_bitRetrieveHintTableScanBackward 0x00000020
#define JET_bitRetrieveHintReserve2 0x00000040
#define JET_bitRetrieveHintReserve3 0x00000080
#define JET_bitDeleteHintTableSequential 0x00000100
#define JET_bitSpaceHintsUtilizeExactExtents 0x00000200

/* ---- JetSetTableSequential / JetPrereadIndexRanges grbits ------------------------------------ */
#define JET_bitPrereadForward 0x00000001
#define JET_bitPrereadBackward 0x00000002
#define JET_bitPrereadFirstPage 0x00000004
#define JET_bitPrereadNormalizedKey 0x00000008

/* ---- JetSetLS / JetGetLS grbits -------------------------------------------------------------- */
#define JET_bitLSReset 0x00000001
#define JET_bitLSCursor 0x00000002
#define JET_bitLSTable 0x00000004

/* ---- JetGetDatabaseInfo / JetGetDatabaseFileInfo info levels --------------------------------- */
#define JET_DbInfoFilename 0
#define JET_DbInfoConnect 1
#define JET_DbInfoCountry 2
#define JET_DbInfoLCID 3
#define JET_DbInfoLangid 3
#define JET_DbInfoCp 4
#define JET_DbInfoCollate 5
#define JET_DbInfoOptions 6
#define JET_DbInfoTransactions 7
#define JET_DbInfoVersion 8
#define JET_DbInfoIsam 9
#define JET_DbInfoFilesize 10
#define JET_DbInfoSpaceOwned 11
#define JET_DbInfoSpaceAvailable 12
#define JET_DbInfoUpgrade 13
#define JET_DbInfoMisc 14
#define JET_DbInfoDBInUse 15
#define JET_DbInfoHasSLVFile_Obsolete 16
#define JET_DbInfoPageSize 17
#define JET_DbInfoStreamingFileSpace_Obsolete 18
#define JET_DbInfoFileType 19
#define JET_DbInfoStreamingFileSize_Obsolete 20
#define JET_DbInfoFilesizeOnDisk 21
#define JET_DbInfoSplitBuffers 23
#define JET_DbInfoUseCachedResult 0x40000000

/* ---- JetGetLogFileInfo / JetGetRBSFileInfo info levels --------------------------------------- */
#define JET_LogInfoMisc 0
#define JET_LogInfoMisc2 1
#define JET_LogInfoMisc3 2
#define JET_RBSFileInfoMisc 0

/* ---- Database states (JET_DBINFOMISC.dbstate) ------------------------------------------------ */
#define JET_dbstateJustCreated 1
#define JET_dbstateDirtyShutdown 2
#define JET_dbstateCleanShutdown 3
#define JET_dbstateBeingConverted 4
#define JET_dbstateForceDetach 5
#define JET_dbstateIncrementalReseedInProgress 6
#define JET_dbstateDirtyAndPatchedShutdown 7
#define JET_dbstateRevertInProgress 8

/* ---- File types (JetGetDatabaseFileInfo with JET_DbInfoFileType) ----------------------------- */
#define JET_filetypeUnknown 0
#define JET_filetypeDatabase 1
#define JET_filetypeStreamingFile 2
#define JET_filetypeLog 3
#define JET_filetypeCheckpoint 4
#define JET_filetypeTempDatabase 5
#define JET_filetypeFTL 6
#define JET_filetypeFlushMap 7
#define JET_filetypeCachedFile 8
#define JET_filetypeCachingFile 9
#define JET_filetypeSnapshot 10
#define JET_filetypeRBSRevertCheckpoint 11
#define JET_filetypeMax 12

/* ---- Column types ---------------------------------------------------------------------------- */
#define JET_coltypNil 0
#define JET_coltypBit 1
#define JET_coltypUnsignedByte 2
#define JET_coltypShort 3
#define JET_coltypLong 4
#define JET_coltypCurrency 5
#define JET_coltypIEEESingle 6
#define JET_coltypIEEEDouble 7
#define JET_coltypDateTime 8
#define JET_coltypBinary 9
#define JET_coltypText 10
#define JET_coltypLongBinary 11
#define JET_coltypLongText 12
#define JET_coltypSLV 13
#define JET_coltypUnsignedLong 14
#define JET_coltypLongLong 15
#define JET_coltypGUID 16
#define JET_coltypUnsignedShort 17
#define JET_coltypUnsignedLongLong 18
#define JET_coltypMax 19

/* ---- Object types ---------------------------------------------------------------------------- */
#define JET_objtypNil 0
#define JET_objtypTable 1
#define JET_objtypDb 2
#define JET_objtypContainer 3
#define JET_objtypLongRoot 9

/* ---- JetGetSessionInfo / JetGetObjectInfo info levels ---------------------------------------- */
#define JET_SessionInfo 0U
#define JET_ObjInfo 0U
#define JET_ObjInfoListNoStats 1U
#define JET_ObjInfoList 2U
#define JET_ObjInfoSysTabCursor 3U
#define JET_ObjInfoListACM 4U
#define JET_ObjInfoNoStats 5U
#define JET_ObjInfoSysTabReadOnly 6U
#define JET_ObjInfoRulesLoaded 7U
#define JET_ObjInfoMax 8U

/* ---- JetGetTableInfo info levels ------------------------------------------------------------- */
#define JET_TblInfo 0U
#define JET_TblInfoName 1U
#define JET_TblInfoDbid 2U
#define JET_TblInfoMostMany 3U
#define JET_TblInfoRvt 4U
#define JET_TblInfoOLC 5U
#define JET_TblInfoResetOLC 6U
#define JET_TblInfoSpaceUsage 7U
#define JET_TblInfoDumpTable 8U
#define JET_TblInfoSpaceAlloc 9U
#define JET_TblInfoSpaceOwned 10U
#define JET_TblInfoSpaceAvailable 11U
#define JET_TblInfoTemplateTableName 12U
#define JET_TblInfoLVChunkMax 13U
#define JET_TblInfoEncryptionKey 14U
#define JET_TblInfoSplitBuffers 15U

/* ---- JetGetIndexInfo / JetGetTableIndexInfo info levels -------------------------------------- */
#define JET_IdxInfo 0U
#define JET_IdxInfoList 1U
#define JET_IdxInfoSysTabCursor 2U
#define JET_IdxInfoOLC 3U
#define JET_IdxInfoResetOLC 4U
#define JET_IdxInfoSpaceAlloc 5U
#define JET_IdxInfoLCID 6U
#define JET_IdxInfoLangid 6U
#define JET_IdxInfoCount 7U
#define JET_IdxInfoVarSegMac 8U
#define JET_IdxInfoIndexId 9U
#define JET_IdxInfoKeyMost 10U
#define JET_IdxInfoCreateIndex 11U
#define JET_IdxInfoCreateIndex2 12U
#define JET_IdxInfoCreateIndex3 13U
#define JET_IdxInfoLocaleName 14U
#define JET_IdxInfoSortVersion 15U
#define JET_IdxInfoDefinedSortVersion 16U
#define JET_IdxInfoSortId 17U

/* ---- JetGetColumnInfo / JetGetTableColumnInfo info levels (grbits are ORed into the level) --- */
#define JET_ColInfo 0U
#define JET_ColInfoList 1U
#define JET_ColInfoSysTabCursor 3U
#define JET_ColInfoBase 4U
#define JET_ColInfoListCompact 5U
#define JET_ColInfoByColid 6U
#define JET_ColInfoListSortColumnid 7U
#define JET_ColInfoBaseByColid 8U
#define JET_ColInfoGrbitNonDerivedColumnsOnly 0x80000000
#define JET_ColInfoGrbitMinimalInfo 0x40000000
#define JET_ColInfoGrbitSortByColumnid 0x20000000
#define JET_ColInfoGrbitCompacting 0x10000000

/* ---- JetGetInstanceMiscInfo info levels ------------------------------------------------------ */
#define JET_InstanceMiscInfoLogSignature 0U
#define JET_InstanceMiscInfoCheckpoint 1U
#define JET_InstanceMiscInfoRBS 2U

/* ---- JetGetPageInfo info levels and grbits --------------------------------------------------- */
#define JET_PageInfo 0U
#define JET_PageInfo2 1U
#define JET_bitPageInfoNoStructureChecksum 0x00000001

/* ---- Session information flags (JET_SESSIONINFO.ulFlags) ------------------------------------- */
#define JET_bitCIMCommitted 0x00000001
#define JET_bitCIMDirty 0x00000002
#define JET_bitAggregateTransaction 0x00000008

/* ---- JetCompact grbits ----------------------------------------------------------------------- */
#define JET_bitCompactStats 0x00000020
#define JET_bitCompactRepair 0x00000040
#define JET_bitCompactPreserveOriginal 0x00000100

/* ---- Status notification processes (JET_SNP) ------------------------------------------------- */
#define JET_snpRepair 2
#define JET_snpCompact 4
#define JET_snpRestore 8
#define JET_snpBackup 9
#define JET_snpUpgrade 10
#define JET_snpScrub 11
#define JET_snpUpgradeRecordFormat 12
#define JET_snpRecoveryControl 18
#define JET_snpExternalAutoHealing 19
#define JET_snpSpaceCategorization 20

/* ---- Status notification types (JET_SNT) ----------------------------------------------------- */
#define JET_sntBegin 5
#define JET_sntRequirements 7
#define JET_sntProgress 0
#define JET_sntComplete 6
#define JET_sntFail 3
#define JET_sntOpenLog 1001
#define JET_sntOpenCheckpoint 1002
#define JET_sntMissingLog 1004
#define JET_sntBeginUndo 1005
#define JET_sntNotificationEvent 1006
#define JET_sntSignalErrorCondition 1007
#define JET_sntAttachedDb 1008
#define JET_sntDetachingDb 1009
#define JET_sntCommitCtx 1010
#define JET_sntPagePatchRequest 1101
#define JET_sntCorruptedPage 1102

/* ---- Recovery control: reasons for opening a log, actions on a missing log ------------------- */
#define JET_OpenLogForRecoveryCheckingAndPatching 1
#define JET_OpenLogForRedo 2
#define JET_OpenLogForUndo 3
#define JET_OpenLogForDo 4
#define JET_MissingLogMustFail 1
#define JET_MissingLogContinueToRedo 2
#define JET_MissingLogContinueTryCurrentLog 3
#define JET_MissingLogContinueToUndo 4
#define JET_MissingLogCreateNewLogStream 5

/* ---- Callback types (JET_CBTYP) -------------------------------------------------------------- */
#define JET_cbtypNull 0x00000000
#define JET_cbtypFinalize 0x00000001
#define JET_cbtypBeforeInsert 0x00000002
#define JET_cbtypAfterInsert 0x00000004
#define JET_cbtypBeforeReplace 0x00000008
#define JET_cbtypAfterReplace 0x00000010
#define JET_cbtypBeforeDelete 0x00000020
#define JET_cbtypAfterDelete 0x00000040
#define JET_cbtypUserDefinedDefaultValue 0x00000080
#define JET_cbtypOnlineDefragCompleted 0x00000100
#define JET_cbtypFreeCursorLS 0x00000200
#define JET_cbtypFreeTableLS 0x00000400
#define JET_cbtypDTCQueryPreparedTransaction 0x00001000
#define JET_cbtypOnlineDefragProgress 0x00002000
#define JET_cbtypScanProgress 0x00004000
#define JET_cbtypScanCompleted 0x00008000
#define JET_cbtypOld2Action 0x00004000

/* ---- JetDefragment grbits -------------------------------------------------------------------- */
#define JET_bitDefragmentBatchStart 0x00000001
#define JET_bitDefragmentBatchStop 0x00000002
#define JET_bitDefragmentAvailSpaceTreesOnly 0x00000040
#define JET_bitDefragmentNoPartialMerges 0x00000080
#define JET_bitDefragmentBTree 0x00000100
#define JET_bitDefragmentBTreeBatch 0x00000200

/* ---- JetDatabaseScan grbits ------------------------------------------------------------------ */
#define JET_bitDatabaseScanBatchStart 0x00000010
#define JET_bitDatabaseScanBatchStop 0x00000020
#define JET_bitDatabaseScanZeroPages 0x00000040
#define JET_bitDatabaseScanBatchStartContinuous 0x00000080

/* ---- JetGetErrorInfo info levels and JetResizeDatabase grbits -------------------------------- */
#define JET_ErrorInfoSpecificErr 1U
#define JET_bitResizeDatabaseOnlyGrow 0x00000001
#define JET_bitResizeDatabaseOnlyShrink 0x00000002

/* ---- Page patching and incremental reseed grbits --------------------------------------------- */
#define JET_bitTestUninitShrunkPageImage 0x00000001
#define JET_bitPatchingCorruptPage 0x00000002
#define JET_bitEndDatabaseIncrementalReseedCancel 0x00000001
#define JET_bitBeginDatabaseIncrementalReseedPatchRBS 0x00000001

/* ---- Revert snapshots: states and grbits ----------------------------------------------------- */
#define JET_revertstateNone 0
#define JET_revertstateInProgress 1
#define JET_revertstateCopingLogs 2
#define JET_revertstateBackupSnapshot 3
#define JET_revertstateRemoveSnapshot 4
#define JET_bitDeleteAllExistingLogs 0x00000001
#define JET_bitNonRevertableTableDelete 0x00000001
#define JET_bitRevertableTableDeleteIfTooSoon 0x00000002

/* ---- Encryption algorithms (JetCreateEncryptionKey) ------------------------------------------ */
#define JET_EncryptionAlgorithmAes256 1

/* ---- JetConfigureProcessForCrashDump grbits -------------------------------------------------- */
#define JET_bitDumpMinimum 0x00000001
#define JET_bitDumpMaximum 0x00000002
#define JET_bitDumpCacheMinimum 0x00000004
#define JET_bitDumpCacheMaximum 0x00000008
#define JET_bitDumpCacheIncludeDirtyPages 0x00000010
#define JET_bitDumpCacheIncludeCachedPages 0x00000020
#define JET_bitDumpCacheIncludeCorruptedPages 0x00000040
#define JET_bitDumpCacheNoDecommit 0x00000080
#define JET_bitDumpUnitTest 0x80000000

#endif /* HOTCOPY_JET_CONST_H */
