; Windows installer of 决算公开助手 (NSIS 3, Unicode). Compiled by installer/nsis.py, which passes:
;   /DVERSION=0.2.0  /DSOURCE_DIR=<the frozen folder>  /DOUT_FILE=<setup.exe>  /DICON=<.ico>
;   /DPROGRAM=DisclosureDesk  /DCLI_PROGRAM=DisclosureDeskCLI  /DEXTENSION=.jsgk
;   /DPRODUCT=决算公开助手  /DPUBLISHER=…  [/DCHECK_ONLY]
;
; Per user, no administrator: the program goes to %LOCALAPPDATA%\Programs\DisclosureDesk, its
; Start-menu entry, file type and uninstall entry to the user's own registry (HKCU). The clerk's
; data is never under the install folder: department files where the clerk saved them, the user
; data folder in %LOCALAPPDATA%\DisclosureDesk (sample, logs, PDF font cache), settings in
; %APPDATA%\DisclosureDesk. An upgrade replaces the program only; the uninstaller removes the
; program only. Both leave the data as it is.

Unicode true
ManifestDPIAware true

!ifndef VERSION | SOURCE_DIR | OUT_FILE | ICON | PROGRAM | CLI_PROGRAM | EXTENSION | PRODUCT | PUBLISHER
  !error "installer/nsis.py passes VERSION, SOURCE_DIR, OUT_FILE, ICON, PROGRAM, CLI_PROGRAM, EXTENSION, PRODUCT and PUBLISHER"
!endif

!define FILE_CLASS "DisclosureDesk.DepartmentFile"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\DisclosureDesk"
!define INSTALLER_KEY "Software\DisclosureDesk\Installer"

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\DisclosureDesk"
InstallDirRegKey HKCU "${INSTALLER_KEY}" "InstallDir"
!ifdef CHECK_ONLY
  SetCompress off ; a check of the script: nothing to ship
!else
  SetCompressor /SOLID lzma
!endif

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "FileDescription" "${PRODUCT} 安装程序"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${PROGRAM}.exe"
!define MUI_FINISHPAGE_RUN_TEXT "打开${PRODUCT}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!define MUI_UNCONFIRMPAGE_TEXT_TOP "只删除程序本身：各部门数据文件、上报文件和用户数据文件夹（%LOCALAPPDATA%\DisclosureDesk）都会保留。"
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "程序" SecProgram
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade: the old version's modules and libraries go, so none of them outlives it.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SOURCE_DIR}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${INSTALLER_KEY}" "InstallDir" "$INSTDIR"

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\${PROGRAM}.exe" "" "$INSTDIR\${PROGRAM}.exe" 0
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\卸载${PRODUCT}.lnk" "$INSTDIR\uninstall.exe"

  ; Department files (*${EXTENSION}) open in the program, for this user.
  WriteRegStr HKCU "Software\Classes\${EXTENSION}" "" "${FILE_CLASS}"
  WriteRegStr HKCU "Software\Classes\${FILE_CLASS}" "" "${PRODUCT}部门数据文件"
  WriteRegStr HKCU "Software\Classes\${FILE_CLASS}\DefaultIcon" "" "$INSTDIR\${PROGRAM}.exe,0"
  WriteRegStr HKCU "Software\Classes\${FILE_CLASS}\shell\open\command" "" '"$INSTDIR\${PROGRAM}.exe" "%1"'
  ; .sqlite is offered too, without taking it from another program.
  WriteRegStr HKCU "Software\Classes\.sqlite\OpenWithProgids" "${FILE_CLASS}" ""

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${PROGRAM}.exe,0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)' ; SHCNE_ASSOCCHANGED
SectionEnd

Section "Uninstall"
  ; The program's own files only; RMDir without /r leaves the folder if the clerk put anything there.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${PROGRAM}.exe"
  Delete "$INSTDIR\${CLI_PROGRAM}.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\卸载${PRODUCT}.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"

  DeleteRegKey HKCU "Software\Classes\${FILE_CLASS}"
  DeleteRegValue HKCU "Software\Classes\.sqlite\OpenWithProgids" "${FILE_CLASS}"
  ReadRegStr $0 HKCU "Software\Classes\${EXTENSION}" ""
  StrCmp $0 "${FILE_CLASS}" 0 +2
    DeleteRegKey HKCU "Software\Classes\${EXTENSION}"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DeleteRegKey HKCU "${INSTALLER_KEY}"
  DeleteRegKey /ifempty HKCU "Software\DisclosureDesk"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
SectionEnd
