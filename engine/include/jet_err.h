/*
 * jet_err.h — every error and warning code of Microsoft ESE, with ESE's names and values.
 *
 * Included by jet.h; include jet.h, not this file. A JET_ERR is 0 on success, negative for an
 * error (the call had no effect unless documented otherwise) and positive for a warning (the call
 * succeeded with a remark). Exception kept from ESE: JET_wrnNyi is negative (-1).
 *
 * The list is ESE's complete set of JET_err* / JET_wrn* codes, public and internal, so that any
 * code an ESE program tests for compiles here, whether or not libjet ever returns it. Codes are
 * grouped by ESE's numeric ranges and ordered by magnitude. A define whose value is another code's
 * name is an older name ESE keeps for compatibility; JetXErrorName reports the current name.
 *
 * libjet adds one name that ESE keeps internal: errBackupAbortByCaller (-800), returned by
 * JetEndExternalBackup* when the backup was abandoned by its caller (see spec/backup-api.md).
 *
 * Every numeric code here has an entry in engine/src/err.c (its name and a one-line message);
 * tests/engine/test_err.c checks that the two stay in step.
 */
#ifndef HOTCOPY_JET_ERR_H
#define HOTCOPY_JET_ERR_H

/* ---- Success ------------------------------------------------------------------------------- */
#define JET_errSuccess 0

/* ---- Not yet implemented (a negative code despite its JET_wrn name) ------------------------ */
#define JET_wrnNyi (-1)

/* ---- System and hardware ------------------------------------------------------------------- */
#define JET_errRfsFailure (-100)
#define JET_errRfsNotArmed (-101)
#define JET_errFileClose (-102)
#define JET_errOutOfThreads (-103)
#define JET_errTooManyIO (-105)
#define JET_errTaskDropped (-106)
#define JET_errInternalError (-107)
#define JET_errDisabledFunctionality (-112)
#define JET_errUnloadableOSFunctionality (-113)
#define JET_errDeviceMissing (-114)
#define JET_errDeviceMisconfigured (-115)
#define JET_errDeviceTimeout (-116)
#define JET_errDeviceFailure (-118)

/* ---- Buffer manager ------------------------------------------------------------------------ */
#define JET_errDatabaseBufferDependenciesCorrupted (-255)

/* ---- Pages, B-trees and space -------------------------------------------------------------- */
#define JET_wrnRemainingVersions 321
#define JET_errPreviousVersion (-322)
#define JET_errPageBoundary (-323)
#define JET_errKeyBoundary (-324)
#define JET_errBadPageLink (-327)
#define JET_errBadBookmark (-328)
#define JET_errNTSystemCallFailed (-334)
#define JET_errBadParentPageLink (-338)
#define JET_errSPAvailExtCacheOutOfSync (-340)
#define JET_errSPAvailExtCorrupted (-341)
#define JET_errSPAvailExtCacheOutOfMemory (-342)
#define JET_errSPOwnExtCorrupted (-343)
#define JET_errDbTimeCorrupted (-344)
#define JET_wrnUniqueKey 345
#define JET_errKeyTruncated (-346)
#define JET_errDatabaseLeakInSpace (-348)
#define JET_errBadEmptyPage (-351)
#define JET_errBadLineCount (-354)
#define JET_errPageTagCorrupted (-357)
#define JET_errNodeCorrupted (-358)

/* ---- Records, keys and long values --------------------------------------------------------- */
#define JET_wrnSeparateLongValue 406
#define JET_errKeyTooBig (-408)
#define JET_errCannotSeparateIntrinsicLV (-416)
#define JET_errSeparatedLongValue (-421)
#define JET_errMustBeSeparateLongValue (-423)
#define JET_errInvalidPreread (-424)
#define JET_errInvalidColumnReference (-426)
#define JET_errStaleColumnReference (-427)
#define JET_wrnNoMoreRecords 428
#define JET_errCompressionIntegrityCheckFailed (-431)

/* ---- Logging, recovery, backup and restore ------------------------------------------------- */
#define JET_errInvalidLoggedOperation (-500)
#define JET_errLogFileCorrupt (-501)
#define JET_errNoBackupDirectory (-503)
#define JET_errBackupDirectoryNotEmpty (-504)
#define JET_errBackupInProgress (-505)
#define JET_errRestoreInProgress (-506)
#define JET_errMissingPreviousLogFile (-509)
#define JET_errLogWriteFail (-510)
#define JET_errLogDisabledDueToRecoveryFailure (-511)
#define JET_errCannotLogDuringRecoveryRedo (-512)
#define JET_errLogGenerationMismatch (-513)
#define JET_errBadLogVersion (-514)
#define JET_errInvalidLogSequence (-515)
#define JET_errLoggingDisabled (-516)
#define JET_errLogBufferTooSmall (-517)
#define JET_errLogSequenceEnd (-519)
#define JET_errNoBackup (-520)
#define JET_errInvalidBackupSequence (-521)
#define JET_errBackupNotAllowedYet (-523)
#define JET_errDeleteBackupFileFail (-524)
#define JET_errMakeBackupDirectoryFail (-525)
#define JET_errInvalidBackup (-526)
#define JET_errRecoveredWithErrors (-527)
#define JET_errMissingLogFile (-528)
#define JET_errLogDiskFull (-529)
#define JET_errBadLogSignature (-530)
#define JET_errBadDbSignature (-531)
#define JET_errBadCheckpointSignature (-532)
#define JET_errCheckpointCorrupt (-533)
#define JET_errMissingPatchPage (-534)
#define JET_errBadPatchPage (-535)
#define JET_errRedoAbruptEnded (-536)
#define JET_errPatchFileMissing (-538)
#define JET_errDatabaseLogSetMismatch (-539)
#define JET_errDatabaseStreamingFileMismatch (-540)
#define JET_errLogFileSizeMismatch (-541)
#define JET_errCheckpointFileNotFound (-542)
#define JET_errRequiredLogFilesMissing (-543)
#define JET_errSoftRecoveryOnBackupDatabase (-544)
#define JET_errLogFileSizeMismatchDatabasesConsistent (-545)
#define JET_errLogSectorSizeMismatch (-546)
#define JET_errLogSectorSizeMismatchDatabasesConsistent (-547)
#define JET_errLogSequenceEndDatabasesConsistent (-548)
#define JET_errStreamingDataNotLogged (-549)
#define JET_errDatabaseDirtyShutdown (-550)
#define JET_errDatabaseInconsistent JET_errDatabaseDirtyShutdown
#define JET_errConsistentTimeMismatch (-551)
#define JET_errDatabasePatchFileMismatch (-552)
#define JET_errEndingRestoreLogTooLow (-553)
#define JET_errStartingRestoreLogTooHigh (-554)
#define JET_errGivenLogFileHasBadSignature (-555)
#define JET_errGivenLogFileIsNotContiguous (-556)
#define JET_errMissingRestoreLogFiles (-557)
#define JET_wrnExistingLogFileHasBadSignature 558
#define JET_wrnExistingLogFileIsNotContiguous 559
#define JET_errMissingFullBackup (-560)
#define JET_errBadBackupDatabaseSize (-561)
#define JET_errDatabaseAlreadyUpgraded (-562)
#define JET_errDatabaseIncompleteUpgrade (-563)
#define JET_wrnSkipThisRecord 564
#define JET_errMissingCurrentLogFiles (-565)
#define JET_errDbTimeTooOld (-566)
#define JET_errDbTimeTooNew (-567)
#define JET_errMissingFileToBackup (-569)
#define JET_errLogTornWriteDuringHardRestore (-570)
#define JET_errLogTornWriteDuringHardRecovery (-571)
#define JET_errLogCorruptDuringHardRestore (-573)
#define JET_errLogCorruptDuringHardRecovery (-574)
#define JET_errMustDisableLoggingForDbUpgrade (-575)
#define JET_errBadRestoreTargetInstance (-577)
#define JET_wrnTargetInstanceRunning 578
#define JET_errRecoveredWithoutUndo (-579)
#define JET_errDatabasesNotFromSameSnapshot (-580)
#define JET_errSoftRecoveryOnSnapshot (-581)
#define JET_errCommittedLogFilesMissing (-582)
#define JET_errSectorSizeNotSupported (-583)
#define JET_errRecoveredWithoutUndoDatabasesConsistent (-584)
#define JET_wrnCommittedLogFilesLost 585
#define JET_errCommittedLogFileCorrupt (-586)
#define JET_wrnCommittedLogFilesRemoved 587
#define JET_wrnFinishWithUndo 588
#define JET_errLogSequenceChecksumMismatch (-590)
#define JET_wrnDatabaseRepaired 595
#define JET_errPageInitializedMismatch (-596)
#define JET_errUnicodeTranslationBufferTooSmall (-601)
#define JET_errUnicodeTranslationFail (-602)
#define JET_errUnicodeNormalizationNotSupported (-603)
#define JET_errUnicodeLanguageValidationFailure (-604)
#define JET_errExistingLogFileHasBadSignature (-610)
#define JET_errExistingLogFileIsNotContiguous (-611)
#define JET_errLogReadVerifyFailure (-612)
#define JET_errCheckpointDepthTooDeep (-614)
#define JET_errRestoreOfNonBackupDatabase (-615)
#define JET_errLogFileNotCopied (-616)
#define JET_errSurrogateBackupInProgress (-617)
#define JET_errTransactionTooLong (-618)
#define JET_errEngineFormatVersionNoLongerSupportedTooLow (-619)
#define JET_errEngineFormatVersionNotYetImplementedTooHigh (-620)
#define JET_errEngineFormatVersionParamTooLowForRequestedFeature (-621)
#define JET_errEngineFormatVersionSpecifiedTooLowForLogVersion (-622)
#define JET_errEngineFormatVersionSpecifiedTooLowForDatabaseVersion (-623)
#define JET_errDbTimeBeyondMaxRequired (-625)

/* ---- Backup ended early -------------------------------------------------------------------- */
#define errBackupAbortByCaller (-800)
#define JET_errBackupAbortByServer (-801)

/* ---- Flags --------------------------------------------------------------------------------- */
#define JET_errInvalidGrbit (-900)

/* ---- API, instances and resources ---------------------------------------------------------- */
#define JET_errTermInProgress (-1000)
#define JET_errFeatureNotAvailable (-1001)
#define JET_errInvalidName (-1002)
#define JET_errInvalidParameter (-1003)
#define JET_wrnColumnNull 1004
#define JET_wrnBufferTruncated 1006
#define JET_wrnDatabaseAttached 1007
#define JET_errDatabaseFileReadOnly (-1008)
#define JET_wrnSortOverflow 1009
#define JET_errInvalidDatabaseId (-1010)
#define JET_errOutOfMemory (-1011)
#define JET_errOutOfDatabaseSpace (-1012)
#define JET_errOutOfCursors (-1013)
#define JET_errOutOfBuffers (-1014)
#define JET_errTooManyIndexes (-1015)
#define JET_errTooManyKeys (-1016)
#define JET_errRecordDeleted (-1017)
#define JET_errReadVerifyFailure (-1018)
#define JET_errPageNotInitialized (-1019)
#define JET_errOutOfFileHandles (-1020)
#define JET_errDiskReadVerificationFailure (-1021)
#define JET_errDiskIO (-1022)
#define JET_errInvalidPath (-1023)
#define JET_errInvalidSystemPath (-1024)
#define JET_errInvalidLogDirectory (-1025)
#define JET_errRecordTooBig (-1026)
#define JET_errTooManyOpenDatabases (-1027)
#define JET_errInvalidDatabase (-1028)
#define JET_errNotInitialized (-1029)
#define JET_errAlreadyInitialized (-1030)
#define JET_errInitInProgress (-1031)
#define JET_errFileAccessDenied (-1032)
#define JET_errQueryNotSupported (-1034)
#define JET_errSQLLinkNotSupported (-1035)
#define JET_errBufferTooSmall (-1038)
#define JET_wrnSeekNotEqual 1039
#define JET_wrnRecordFoundGreater JET_wrnSeekNotEqual
#define JET_wrnRecordFoundLess JET_wrnSeekNotEqual
#define JET_errTooManyColumns (-1040)
#define JET_errContainerNotEmpty (-1043)
#define JET_errInvalidFilename (-1044)
#define JET_errInvalidBookmark (-1045)
#define JET_errColumnInUse (-1046)
#define JET_errInvalidBufferSize (-1047)
#define JET_errColumnNotUpdatable (-1048)
#define JET_errIndexInUse (-1051)
#define JET_errLinkNotSupported (-1052)
#define JET_errNullKeyDisallowed (-1053)
#define JET_errNotInTransaction (-1054)
#define JET_wrnNoErrorInfo 1055
#define JET_errMustRollback (-1057)
#define JET_wrnNoIdleActivity 1058
#define JET_errTooManyActiveUsers (-1059)
#define JET_errInvalidCountry (-1061)
#define JET_errInvalidLanguageId (-1062)
#define JET_errInvalidCodePage (-1063)
#define JET_errInvalidLCMapStringFlags (-1064)
#define JET_errVersionStoreEntryTooBig (-1065)
#define JET_errVersionStoreOutOfMemoryAndCleanupTimedOut (-1066)
#define JET_wrnNoWriteLock 1067
#define JET_wrnColumnSetNull 1068
#define JET_errVersionStoreOutOfMemory (-1069)
#define JET_errCurrencyStackOutOfMemory (-1070)
#define JET_errCannotIndex (-1071)
#define JET_errRecordNotDeleted (-1072)
#define JET_errTooManyMempoolEntries (-1073)
#define JET_errOutOfObjectIDs (-1074)
#define JET_errOutOfLongValueIDs (-1075)
#define JET_errOutOfAutoincrementValues (-1076)
#define JET_errOutOfDbtimeValues (-1077)
#define JET_errOutOfSequentialIndexValues (-1078)
#define JET_errRunningInOneInstanceMode (-1080)
#define JET_errRunningInMultiInstanceMode (-1081)
#define JET_errSystemParamsAlreadySet (-1082)
#define JET_errSystemPathInUse (-1083)
#define JET_errLogFilePathInUse (-1084)
#define JET_errTempPathInUse (-1085)
#define JET_errInstanceNameInUse (-1086)
#define JET_errSystemParameterConflict (-1087)
#define JET_errInstanceUnavailable (-1090)
#define JET_errDatabaseUnavailable (-1091)
#define JET_errInstanceUnavailableDueToFatalLogDiskFull (-1092)
#define JET_errInvalidSesparamId (-1093)
#define JET_errTooManyRecords (-1094)
#define JET_errInvalidDbparamId (-1095)

/* ---- Sessions and transactions ------------------------------------------------------------- */
#define JET_errOutOfSessions (-1101)
#define JET_errWriteConflict (-1102)
#define JET_errTransTooDeep (-1103)
#define JET_errInvalidSesid (-1104)
#define JET_errWriteConflictPrimaryIndex (-1105)
#define JET_errInTransaction (-1108)
#define JET_errRollbackRequired (-1109)
#define JET_errTransReadOnly (-1110)
#define JET_errSessionWriteConflict (-1111)
#define JET_errRecordTooBigForBackwardCompatibility (-1112)
#define JET_errCannotMaterializeForwardOnlySort (-1113)
#define JET_errSesidTableIdMismatch (-1114)
#define JET_errInvalidInstance (-1115)
#define JET_errDirtyShutdown (-1116)
#define JET_errReadPgnoVerifyFailure (-1118)
#define JET_errReadLostFlushVerifyFailure (-1119)
#define JET_errFileSystemCorruption (-1121)
#define JET_wrnShrinkNotPossible 1122
#define JET_errRecoveryVerifyFailure (-1123)
#define JET_errFilteredMoveNotSupported (-1124)
#define JET_errMustCommitDistributedTransactionToLevel0 (-1150)
#define JET_errDistributedTransactionAlreadyPreparedToCommit (-1151)
#define JET_errNotInDistributedTransaction (-1152)
#define JET_errDistributedTransactionNotYetPreparedToCommit (-1153)
#define JET_errCannotNestDistributedTransactions (-1154)
#define JET_errDTCMissingCallback (-1160)
#define JET_errDTCMissingCallbackOnRecovery (-1161)
#define JET_errDTCCallbackUnexpectedError (-1162)
#define JET_wrnDTCCommitTransaction 1163
#define JET_wrnDTCRollbackTransaction 1164

/* ---- Databases ----------------------------------------------------------------------------- */
#define JET_errDatabaseDuplicate (-1201)
#define JET_errDatabaseInUse (-1202)
#define JET_errDatabaseNotFound (-1203)
#define JET_errDatabaseInvalidName (-1204)
#define JET_errDatabaseInvalidPages (-1205)
#define JET_errDatabaseCorrupted (-1206)
#define JET_errDatabaseLocked (-1207)
#define JET_errCannotDisableVersioning (-1208)
#define JET_errInvalidDatabaseVersion (-1209)
#define JET_errDatabase200Format (-1210)
#define JET_errDatabase400Format (-1211)
#define JET_errDatabase500Format (-1212)
#define JET_errPageSizeMismatch (-1213)
#define JET_errTooManyInstances (-1214)
#define JET_errDatabaseSharingViolation (-1215)
#define JET_errAttachedDatabaseMismatch (-1216)
#define JET_errDatabaseInvalidPath (-1217)
#define JET_errDatabaseIdInUse (-1218)
#define JET_errForceDetachNotAllowed (-1219)
#define JET_errCatalogCorrupted (-1220)
#define JET_errPartiallyAttachedDB (-1221)
#define JET_errDatabaseSignInUse (-1222)
#define JET_errDatabaseCorruptedNoRepair (-1224)
#define JET_errInvalidCreateDbVersion (-1225)
#define JET_errDatabaseIncompleteIncrementalReseed (-1226)
#define JET_errDatabaseInvalidIncrementalReseed (-1227)
#define JET_errDatabaseFailedIncrementalReseed (-1228)
#define JET_errNoAttachmentsFailedIncrementalReseed (-1229)
#define JET_errDatabaseNotReady (-1230)
#define JET_errDatabaseAttachedForRecovery (-1231)
#define JET_errTransactionsNotReadyDuringRecovery (-1232)

/* ---- Tables -------------------------------------------------------------------------------- */
#define JET_wrnTableEmpty 1301
#define JET_errTableLocked (-1302)
#define JET_errTableDuplicate (-1303)
#define JET_errTableInUse (-1304)
#define JET_errObjectNotFound (-1305)
#define JET_errDensityInvalid (-1307)
#define JET_errTableNotEmpty (-1308)
#define JET_errInvalidTableId (-1310)
#define JET_errTooManyOpenTables (-1311)
#define JET_errIllegalOperation (-1312)
#define JET_errTooManyOpenTablesAndCleanupTimedOut (-1313)
#define JET_errObjectDuplicate (-1314)
#define JET_errInvalidObject (-1316)
#define JET_errCannotDeleteTempTable (-1317)
#define JET_errCannotDeleteSystemTable (-1318)
#define JET_errCannotDeleteTemplateTable (-1319)
#define JET_errExclusiveTableLockRequired (-1322)
#define JET_errFixedDDL (-1323)
#define JET_errFixedInheritedDDL (-1324)
#define JET_errCannotNestDDL (-1325)
#define JET_errDDLNotInheritable (-1326)
#define JET_wrnTableInUseBySystem 1327
#define JET_errInvalidSettings (-1328)
#define JET_errClientRequestToStopJetService (-1329)
#define JET_errCannotAddFixedVarColumnToDerivedTable (-1330)

/* ---- Indexes ------------------------------------------------------------------------------- */
#define JET_errIndexCantBuild (-1401)
#define JET_errIndexHasPrimary (-1402)
#define JET_errIndexDuplicate (-1403)
#define JET_errIndexNotFound (-1404)
#define JET_errIndexMustStay (-1405)
#define JET_errIndexInvalidDef (-1406)
#define JET_errInvalidCreateIndex (-1409)
#define JET_errTooManyOpenIndexes (-1410)
#define JET_errMultiValuedIndexViolation (-1411)
#define JET_errIndexBuildCorrupted (-1412)
#define JET_errPrimaryIndexCorrupted (-1413)
#define JET_errSecondaryIndexCorrupted (-1414)
#define JET_wrnCorruptIndexDeleted 1415
#define JET_errInvalidIndexId (-1416)
#define JET_wrnPrimaryIndexOutOfDate 1417
#define JET_wrnSecondaryIndexOutOfDate 1418
#define JET_errIndexTuplesSecondaryIndexOnly (-1430)
#define JET_errIndexTuplesTooManyColumns (-1431)
#define JET_errIndexTuplesOneColumnOnly JET_errIndexTuplesTooManyColumns
#define JET_errIndexTuplesNonUniqueOnly (-1432)
#define JET_errIndexTuplesTextBinaryColumnsOnly (-1433)
#define JET_errIndexTuplesTextColumnsOnly JET_errIndexTuplesTextBinaryColumnsOnly
#define JET_errIndexTuplesVarSegMacNotAllowed (-1434)
#define JET_errIndexTuplesInvalidLimits (-1435)
#define JET_errIndexTuplesCannotRetrieveFromIndex (-1436)
#define JET_errIndexTuplesKeyTooSmall (-1437)
#define JET_errInvalidLVChunkSize (-1438)
#define JET_errColumnCannotBeEncrypted (-1439)
#define JET_errCannotIndexOnEncryptedColumn (-1440)

/* ---- Columns ------------------------------------------------------------------------------- */
#define JET_errColumnLong (-1501)
#define JET_errColumnNoChunk (-1502)
#define JET_errColumnDoesNotFit (-1503)
#define JET_errNullInvalid (-1504)
#define JET_errColumnIllegalNull JET_errNullInvalid
#define JET_errColumnIndexed (-1505)
#define JET_errColumnTooBig (-1506)
#define JET_errColumnNotFound (-1507)
#define JET_errColumnDuplicate (-1508)
#define JET_errMultiValuedColumnMustBeTagged (-1509)
#define JET_errColumnRedundant (-1510)
#define JET_errInvalidColumnType (-1511)
#define JET_wrnColumnMaxTruncated 1512
#define JET_errTaggedNotNULL (-1514)
#define JET_errNoCurrentIndex (-1515)
#define JET_errKeyIsMade (-1516)
#define JET_errBadColumnId (-1517)
#define JET_errBadItagSequence (-1518)
#define JET_errColumnInRelationship (-1519)
#define JET_wrnCopyLongValue 1520
#define JET_errCannotBeTagged (-1521)
#define JET_wrnTaggedColumnsRemaining 1523
#define JET_errDefaultValueTooBig (-1524)
#define JET_errMultiValuedDuplicate (-1525)
#define JET_errLVCorrupted (-1526)
#define JET_errMultiValuedDuplicateAfterTruncation (-1528)
#define JET_errDerivedColumnCorruption (-1529)
#define JET_errInvalidPlaceholderColumn (-1530)
#define JET_wrnColumnSkipped 1531
#define JET_wrnColumnNotLocal 1532
#define JET_wrnColumnMoreTags 1533
#define JET_wrnColumnTruncated 1534
#define JET_wrnColumnPresent 1535
#define JET_wrnColumnSingleValue 1536
#define JET_wrnColumnDefault 1537
#define JET_errColumnCannotBeCompressed (-1538)
#define JET_wrnColumnNotInRecord 1539
#define JET_errColumnNoEncryptionKey (-1540)
#define JET_wrnColumnReference 1541

/* ---- Records, keys and updates ------------------------------------------------------------- */
#define JET_errRecordNotFound (-1601)
#define JET_errRecordNoCopy (-1602)
#define JET_errNoCurrentRecord (-1603)
#define JET_errRecordPrimaryChanged (-1604)
#define JET_errKeyDuplicate (-1605)
#define JET_errAlreadyPrepared (-1607)
#define JET_errKeyNotMade (-1608)
#define JET_errUpdateNotPrepared (-1609)
#define JET_wrnDataHasChanged 1610
#define JET_errDataHasChanged (-1611)
#define JET_wrnKeyChanged 1618
#define JET_errLanguageNotSupported (-1619)
#define JET_errDecompressionFailed (-1620)
#define JET_errUpdateMustVersion (-1621)
#define JET_errDecryptionFailed (-1622)
#define JET_errEncryptionBadItag (-1623)

/* ---- Sorts --------------------------------------------------------------------------------- */
#define JET_errTooManySorts (-1701)
#define JET_errInvalidOnSort (-1702)

/* ---- Files and disks ----------------------------------------------------------------------- */
#define JET_errTempFileOpenError (-1803)
#define JET_errTooManyAttachedDatabases (-1805)
#define JET_errDiskFull (-1808)
#define JET_errPermissionDenied (-1809)
#define JET_errFileNotFound (-1811)
#define JET_errFileInvalidType (-1812)
#define JET_wrnFileOpenReadOnly 1813
#define JET_errFileAlreadyExists (-1814)

/* ---- Restore ------------------------------------------------------------------------------- */
#define JET_errAfterInitialization (-1850)
#define JET_errLogCorrupted (-1852)

/* ---- Miscellaneous, flush maps and revert snapshots ---------------------------------------- */
#define JET_errInvalidOperation (-1906)
#define JET_errAccessDenied (-1907)
#define JET_wrnIdleFull 1908
#define JET_errTooManySplits (-1909)
#define JET_errSessionSharingViolation (-1910)
#define JET_errEntryPointNotFound (-1911)
#define JET_errSessionContextAlreadySet (-1912)
#define JET_errSessionContextNotSetByThisThread (-1913)
#define JET_errSessionInUse (-1914)
#define JET_errRecordFormatConversionFailed (-1915)
#define JET_errOneDatabasePerSession (-1916)
#define JET_errRollbackError (-1917)
#define JET_errFlushMapVersionUnsupported (-1918)
#define JET_errFlushMapDatabaseMismatch (-1919)
#define JET_errFlushMapUnrecoverable (-1920)
#define JET_errRBSFileCorrupt (-1921)
#define JET_errRBSHeaderCorrupt (-1922)
#define JET_errRBSDbMismatch (-1923)
#define JET_errBadRBSVersion (-1925)
#define JET_errOutOfRBSSpace (-1926)
#define JET_errRBSInvalidSign (-1927)
#define JET_errRBSInvalidRecord (-1928)
#define JET_errRBSRCInvalidRBS (-1929)
#define JET_errRBSRCNoRBSFound (-1930)
#define JET_errRBSRCBadDbState (-1931)
#define JET_errRBSMissingReqLogs (-1932)
#define JET_errRBSLogDivergenceFailed (-1933)
#define JET_errRBSRCCopyLogsRevertState (-1934)
#define JET_errDatabaseIncompleteRevert (-1935)
#define JET_errRBSRCRevertCancelled (-1936)
#define JET_errRBSRCInvalidDbFormatVersion (-1937)
#define JET_errRBSCannotDetermineDivergence (-1938)
#define JET_errRBSDeleteTableTooBig (-1941)
#define JET_errRBSDeleteTableTooSoon (-1942)
#define JET_errRBSFDPToBeDeleted (-1943)
#define JET_errRBSRevertableDeleteNotPossible (-1944)

/* ---- Online maintenance -------------------------------------------------------------------- */
#define JET_wrnDefragAlreadyRunning 2000
#define JET_wrnDefragNotRunning 2001
#define JET_wrnDatabaseScanAlreadyRunning 2002
#define JET_wrnDatabaseScanNotRunning 2003
#define JET_errDatabaseAlreadyRunningMaintenance (-2004)

/* ---- Callbacks and space hints ------------------------------------------------------------- */
#define JET_wrnCallbackNotRegistered 2100
#define JET_errCallbackFailed (-2101)
#define JET_errCallbackNotResolved (-2102)
#define JET_errSpaceHintsInvalid (-2103)

/* ---- Operating-system snapshots ------------------------------------------------------------ */
#define JET_errOSSnapshotInvalidSequence (-2401)
#define JET_errOSSnapshotTimeOut (-2402)
#define JET_errOSSnapshotNotAllowed (-2403)
#define JET_errOSSnapshotInvalidSnapId (-2404)

/* ---- Test fault injection ------------------------------------------------------------------ */
#define JET_errTooManyTestInjections (-2501)
#define JET_errTestInjectionNotSupported (-2502)

/* ---- Streamed log data --------------------------------------------------------------------- */
#define JET_errInvalidLogDataSequence (-2601)
#define JET_wrnPreviousLogFileIncomplete 2602

/* ---- Local storage ------------------------------------------------------------------------- */
#define JET_errLSCallbackNotSpecified (-3000)
#define JET_errLSAlreadySet (-3001)
#define JET_errLSNotSet (-3002)

/* ---- File I/O ------------------------------------------------------------------------------ */
#define JET_errFileIOSparse (-4000)
#define JET_errFileIOBeyondEOF (-4001)
#define JET_errFileIOAbort (-4002)
#define JET_errFileIORetry (-4003)
#define JET_errFileIOFail (-4004)
#define JET_errFileCompressed (-4005)

#endif /* HOTCOPY_JET_ERR_H */
