# Homebrew cask for idpulse. The release job fills in version and sha256
# (shasum -a 256 idpulse-<version>.dmg) and publishes this file to the tap:
#   brew install --cask idpulse/tap/idpulse
cask "idpulse" do
  version "0.0.0"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"

  url "https://github.com/idpulse/idpulse/releases/download/v#{version}/idpulse-v#{version}.dmg"
  name "idpulse"
  desc "Menu bar agent that diagnoses why a Mac cannot reach Apple ID servers"
  homepage "https://github.com/idpulse/idpulse"

  livecheck do
    url :url
    strategy :github_latest
  end

  depends_on macos: ">= :monterey"

  app "idpulse.app"
  binary "#{appdir}/idpulse.app/Contents/MacOS/idpulse"

  # Launch at Login is the user's choice: `idpulse install` or the menu.
  caveats <<~EOS
    To start idpulse now and at every login:
      idpulse install
  EOS

  # The LaunchAgent label is the bundle id. Homebrew boots the agent out of
  # the user's GUI domain and removes ~/Library/LaunchAgents/io.idpulse.agent.plist.
  uninstall launchctl: "io.idpulse.agent",
            quit:      "io.idpulse.agent"

  zap trash: [
    "~/Library/Application Support/idpulse",
    "~/Library/LaunchAgents/io.idpulse.agent.plist",
    "~/Library/Logs/idpulse",
    "~/Library/Preferences/io.idpulse.agent.plist",
  ]
end
