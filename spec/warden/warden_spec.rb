# frozen_string_literal: true

require "railsess/warden"

RSpec.describe Railsess::Warden, kind: :unit do
  let(:session) { { "_csrf_token" => "t", "devise.x" => 1, "other" => 2 } }
  let(:env) { { "rack.session" => session, "rack.session.options" => { path: "/" } } }

  it "signs in as Devise does: [[id], salt], no CSRF token or devise.* keys, a new session id" do
    described_class.new(env).sign_in(42, "salt")
    expect(session).to eq("warden.user.user.key" => [[42], "salt"], "other" => 2)
    expect(env["rack.session.options"][:renew]).to be(true)
    expect(described_class.new(env).user_key).to eq([42, "salt"])
    expect(described_class.new(env, scope: :admin).user_key).to be_nil
  end

  it "unwraps only a one-part to_key and ignores malformed keys" do
    session["warden.user.user.key"] = [[1, 2], "s"]
    expect(described_class.new(env).user_key).to eq([[1, 2], "s"])
    ["x", [1], [[1], "s", 3], nil].each do |bad|
      session["warden.user.user.key"] = bad
      expect(described_class.new(env).user_key).to be_nil
    end
  end

  it "signs out one scope, keeping the rest of the session, when asked" do
    session.merge!("warden.user.user.key" => [[1], "s"], "warden.user.user.session" => { "a" => 1 },
                   "warden.user.admin.key" => [[2], "t"])
    env[Railsess::CookieJar::ENV_KEY] = Struct.new(:deleted) { def delete(name, _opts) = (self.deleted = name) }.new
    described_class.new(env).sign_out(all_scopes: false)
    expect(session.keys).to contain_exactly("_csrf_token", "devise.x", "other", "warden.user.admin.key")
    expect(env[Railsess::CookieJar::ENV_KEY].deleted).to eq("remember_user_token")
  end

  it "stores the location Devise returns to" do
    described_class.new(env, scope: :admin).store_location("/admin/reports")
    expect(session["admin_return_to"]).to eq("/admin/reports")
  end
end
