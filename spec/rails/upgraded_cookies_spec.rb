# frozen_string_literal: true

require "open3"
require "rbconfig"
require_relative "../newer_rails/upgraded_cookies_probe"

# CVE-2026-126077 ("Keep a proxy from resending an upgraded session cookie"): a cookie that a read
# rewrites (read through a rotated secret, or a Marshal cookie under :hybrid) is not written when
# the request sets session_options[:skip], before or after the read; an explicit write after the
# read goes out, and so does a delete. Debian 12's ActionDispatch 6.1.7.10+deb12u4 has the fix;
# Debian 13's 7.2.2.2 and the 7.0-8.1 release trees in ../shared/rails predate it and get it from
# Railsess.install! (UpgradedCookies).
RSpec.describe "cookies upgraded by a read, under session_options[:skip] (CVE-2026-126077)",
               :active_support, kind: :integration do
  let(:probe) { UpgradedCookiesProbe }
  let(:lib) { File.expand_path("../../lib", __dir__) }
  let(:script) { File.expand_path("../newer_rails/upgraded_cookies_probe.rb", __dir__) }
  unpatched_tag = "v7.2.3.2"

  def patched? = ActionDispatch::Cookies::CookieJar.method_defined?(:upgraded)

  def skip_unless_patched!
    return if patched?

    skip "ActionDispatch #{ActionPack.version} predates the fix (its install! backport is checked below)"
  end

  before(:all) do
    RailsStack.load!
    require "active_support/core_ext/integer/time"
  end

  # The fixed behaviour, for every setup, scenario and moment :skip is set.
  def expected
    rack3 = Gem::Version.new(Rack.release) >= Gem::Version.new("3")
    names = [probe::ENCRYPTED, probe::SIGNED].sort
    keys = probe.setups.keys.product(probe::SCENARIOS.keys, probe::SKIP)
    keys.to_h do |setup, scenario, skip|
      outcome = if scenario.end_with?("delete")
                  deleted = names.map { |name| "#{name}=deleted" }
                  # Rack 2.2's delete_cookie drops the key's earlier Set-Cookie; Rack 3 sends both
                  # (the rewrite, then the deletion), as Rails on Rack 3 does.
                  rack3 && skip == "none" ? (names + deleted).sort : deleted
                elsif scenario.end_with?("set") || skip == "none" then names
                else
                  []
                end
      ["#{setup} / #{scenario} / skip #{skip}", [probe::VALUES.values, outcome]]
    end
  end

  # The probe in a fresh Ruby with `rubylib` (nil: Debian's Rails) and `mode` (install / plain).
  def probe_in_subprocess(rubylib, mode)
    env = { "RUBYLIB" => rubylib }
    out, err, status = Open3.capture3(env, RbConfig.ruby, "-I", lib, script, mode)
    expect(status).to be_success, err
    JSON.parse(out)
  end

  it "is what a patched ActionDispatch (Debian 12's 6.1) does" do
    skip_unless_patched!
    expect(probe.outcomes(:rails)).to eq(expected)
  end

  it "Railsess::CookieJar sends the fixed Set-Cookie headers (those of a patched ActionDispatch's jar)" do
    expect(probe.outcomes(:railsess)).to eq(expected)
    expect(probe.outcomes(:railsess)).to eq(probe.outcomes(:rails)) if patched?
  end

  it "after Railsess.install!, leaves a patched ActionDispatch's fix alone, or adds it to the loaded one" do
    result = probe_in_subprocess(nil, "install")
    expect(result["action_pack"]).to eq(ActionPack.version.to_s)
    expect(result["backport"]).to be(!patched?)
    expect(result["outcomes"]).to eq(expected)
  end

  context "with an ActionDispatch that predates the fix (Rails #{unpatched_tag} from ../shared/rails)" do
    let(:rubylib) { NewerRails.rubylib(@tree) }

    before do
      @tree = NewerRails.tree(unpatched_tag)
      skip "no ../shared/rails/rails-#{unpatched_tag}.tar.gz here" unless @tree
    end

    it "resends the upgraded cookies on its own (what the fix is for)" do
      result = probe_in_subprocess(rubylib, "plain")
      expect(result["backport"]).to be(false)
      expect(result["outcomes"]["rotated secret / read / skip before"].last).to eq([probe::ENCRYPTED, probe::SIGNED])
      expect(result["outcomes"]["Marshal under :hybrid / read / skip after"].last).to eq([probe::ENCRYPTED,
                                                                                          probe::SIGNED])
    end

    it "gets the fixed behaviour from Railsess.install!" do
      result = probe_in_subprocess(rubylib, "install")
      expect(result["backport"]).to be(true)
      expect(result["outcomes"]).to eq(expected)
    end
  end
end
