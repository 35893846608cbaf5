# frozen_string_literal: true

require "open3"
require "rbconfig"
require_relative "../newer_rails/upgraded_cookies_probe"

# CVE-2026-126077 ("Keep a proxy from resending an upgraded session cookie"): a cookie that a read
# rewrites (read through a rotated secret, or a Marshal cookie under :hybrid) is not written when
# the request sets session_options[:skip], before or after the read; an explicit write after the
# read goes out, and so does a delete. Debian's ActionDispatch 6.1.7.10+deb12u4 has the fix; the
# 7.0-8.1 trees in /tmp/rails predate it and get it from Railsess.install! (UpgradedCookies).
RSpec.describe "cookies upgraded by a read, under session_options[:skip] (CVE-2026-126077)", :active_support do
  let(:probe) { UpgradedCookiesProbe }
  let(:lib) { File.expand_path("../../lib", __dir__) }
  let(:script) { File.expand_path("../newer_rails/upgraded_cookies_probe.rb", __dir__) }
  unpatched_root = ENV.fetch("RAILSESS_UNPATCHED_RAILS", "/tmp/rails/rails-v7.2.3.2")

  before(:all) do
    RailsStack.load!
    require "active_support/core_ext/integer/time"
  end

  # The fixed behaviour, for every setup, scenario and moment :skip is set.
  def expected
    names = [probe::ENCRYPTED, probe::SIGNED].sort
    keys = probe.setups.keys.product(probe::SCENARIOS.keys, probe::SKIP)
    keys.to_h do |setup, scenario, skip|
      outcome = if scenario.end_with?("delete") then names.map { |name| "#{name}=deleted" }
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

  it "is what Debian's patched ActionDispatch 6.1 does" do
    expect(probe.outcomes(:rails)).to eq(expected)
  end

  it "Railsess::CookieJar sends the same Set-Cookie headers as ActionDispatch's jar" do
    expect(probe.outcomes(:railsess)).to eq(probe.outcomes(:rails))
  end

  it "leaves a patched ActionDispatch's own fix alone after Railsess.install!" do
    result = probe_in_subprocess(nil, "install")
    expect(result["action_pack"]).to eq(ActionPack.version.to_s)
    expect(result["backport"]).to be(false)
    expect(result["outcomes"]).to eq(expected)
  end

  context "with an ActionDispatch that predates the fix (#{unpatched_root})" do
    let(:rubylib) do
      %w[activesupport actionpack actionview activemodel].map { |l| "#{unpatched_root}/#{l}/lib" }.join(":")
    end

    before do
      # Only this machine's unpacked Rails trees (or RAILSESS_UNPATCHED_RAILS) have one.
      skip "no unpacked Rails tree at #{unpatched_root}" unless File.directory?("#{unpatched_root}/actionpack/lib")
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
