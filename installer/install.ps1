<#
.SYNOPSIS
  Rolecall for one user on Windows: no administrator rights, no Python needed.

.DESCRIPTION
  Install copies the host bundle (the `rolecall` folder beside this script, or
  dist\rolecall in a source tree) to %LOCALAPPDATA%\Programs\Rolecall and runs the
  bundle's own `rolecall.exe install`, which registers the host with every browser found
  (Chrome, Chromium, Edge, Brave, Vivaldi, Firefox): one manifest per browser under the
  Rolecall home and its HKCU\Software\...\NativeMessagingHosts\com.rolecall.host key,
  from the one install table in host/rolecall/install/table.py. It then lists the keys.
  -Autostart also starts the daemon at login (HKCU\...\CurrentVersion\Run).

  -Uninstall undoes each step in reverse: autostart, the daemon, every manifest and
  registry key (`rolecall.exe uninstall`), then the bundle. Your Rolecall data stays in
  %LOCALAPPDATA%\rolecall; remove it by hand.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File install.ps1
  powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall
#>
param(
  [string]$Bundle = "",
  [switch]$Autostart,
  [switch]$Uninstall,
  [string[]]$Browser = @()
)
$ErrorActionPreference = "Stop"

$AppDir = Join-Path $env:LOCALAPPDATA "Programs\Rolecall"
$Exe = Join-Path $AppDir "rolecall.exe"
$Vendors = @("Google\Chrome", "Chromium", "Microsoft\Edge", "Mozilla")

function Show-Keys {
  foreach ($vendor in $Vendors) {
    $key = "HKCU:\Software\$vendor\NativeMessagingHosts\com.rolecall.host"
    if (Test-Path $key) {
      Write-Output ("registered {0} -> {1}" -f $key, (Get-Item $key).GetValue(""))
    }
  }
}

if ($Uninstall) {
  if (Test-Path $Exe) {
    & $Exe autostart disable 2>$null | Out-Null
    & $Exe stop 2>$null | Out-Null
    & $Exe uninstall
    if ($LASTEXITCODE -ne 0) { throw "rolecall uninstall failed ($LASTEXITCODE)" }
  } else {
    Write-Output "no Rolecall bundle in $AppDir"
  }
  if (Test-Path $AppDir) {
    Remove-Item -Recurse -Force $AppDir
    Write-Output "removed $AppDir"
  }
  Show-Keys  # prints nothing when every key is gone
  exit 0
}

if (-not $Bundle) {
  $Bundle = Join-Path $PSScriptRoot "rolecall"
  if (-not (Test-Path (Join-Path $Bundle "rolecall.exe"))) {
    $Bundle = Join-Path $PSScriptRoot "..\dist\rolecall"
  }
}
if (-not (Test-Path (Join-Path $Bundle "rolecall.exe"))) {
  throw "no Rolecall bundle in $Bundle (build one with make dist on Windows)"
}

$Staging = "$AppDir.new"
if (Test-Path $Staging) { Remove-Item -Recurse -Force $Staging }
New-Item -ItemType Directory -Force -Path (Split-Path $AppDir) | Out-Null
Copy-Item -Recurse $Bundle $Staging
if (Test-Path $AppDir) { Remove-Item -Recurse -Force $AppDir }
Move-Item $Staging $AppDir
Write-Output "copied the host to $AppDir"

$InstallArgs = @("install")
foreach ($name in $Browser) { $InstallArgs += @("--browser", $name) }
& $Exe @InstallArgs
if ($LASTEXITCODE -ne 0) { throw "rolecall install failed ($LASTEXITCODE)" }
if ($Autostart) {
  & $Exe autostart enable
  if ($LASTEXITCODE -ne 0) { throw "rolecall autostart enable failed ($LASTEXITCODE)" }
}
Show-Keys
Write-Output "done: restart your browser, add the Rolecall extension, then run: $Exe doctor"
