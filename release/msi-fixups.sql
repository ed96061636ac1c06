-- Rows that wixl 0.101 cannot write, added to the built MSI by release.mk with
-- `msibuild kense.msi -q "<line>"` (one statement a line; "--" lines skipped).
-- Registry settings only when given (or remembered by AppSearch): an empty
-- ServerURL must not shadow the app's default.
UPDATE `Component` SET `Condition` = 'SERVER_URL' WHERE `Component` = 'ServerURLSetting'
UPDATE `Component` SET `Condition` = 'IDLE_LOCK_MINUTES' WHERE `Component` = 'IdleLockSetting'
-- wixl types every property-setting action 51|0x800; 0x800 (no impersonation)
-- belongs to deferred actions only: plain immediate type 51.
UPDATE `CustomAction` SET `Type` = 51
-- Properties that may come from the command line in a managed install.
UPDATE `Property` SET `Value` = 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;SERVER_URL;IDLE_LOCK_MINUTES;REMOVEUSERDATA' WHERE `Property` = 'SecureCustomProperties'
-- Logs: every file in %LocalAppData%\Kense\logs, then the folders if empty.
-- "*" is Windows Installer's wildcard; the named rows repeat the files Kense
-- writes, for installers without wildcards (Wine's) and as documentation.
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLogs', 'Logs', '*', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLog0', 'Logs', 'Kense.log', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLog1', 'Logs', 'Kense.1.log', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLog2', 'Logs', 'Kense.2.log', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLog3', 'Logs', 'Kense.3.log', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLog4', 'Logs', 'Kense.4.log', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveLog5', 'Logs', 'Kense.5.log', 'LogsDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `DirProperty`, `InstallMode`) VALUES ('RemoveLocalKenseDir', 'Logs', 'LocalKenseDir', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `DirProperty`, `InstallMode`) VALUES ('RemoveProgramsDir', 'KensectlExe', 'ProgramsDir', 2)
-- Drafts (%AppData%\Kense) and Fyne's preferences (%AppData%\fyne\kz.kense.app):
-- only when SetUserDataDir/SetFyneDataDir ran (REMOVEUSERDATA=1 on uninstall).
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveDrafts', 'UserData', '*', 'KENSEDATADIR', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveDraftsDB', 'UserData', 'kense.db', 'KENSEDATADIR', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `DirProperty`, `InstallMode`) VALUES ('RemoveDraftsDir', 'UserData', 'KENSEDATADIR', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveFynePrefs', 'UserData', '*', 'FYNEDATADIR', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `FileName`, `DirProperty`, `InstallMode`) VALUES ('RemoveFynePrefsJSON', 'UserData', 'preferences.json', 'FYNEDATADIR', 2)
INSERT INTO `RemoveFile` (`FileKey`, `Component_`, `DirProperty`, `InstallMode`) VALUES ('RemoveFynePrefsDir', 'UserData', 'FYNEDATADIR', 2)
