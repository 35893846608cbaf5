# frozen_string_literal: true

require "railsess/cookie_domain"

RSpec.describe Railsess::CookieDomain, kind: :unit do
  hosts = %w[www.myapp.test api.myapp.test myapp.test a.b.c.myapp.test www.myapp.co.uk myapp.co.uk
             www.abc.io abc.io example.com.au localhost 127.0.0.1 10.0.0.12 a..b trailing.dot.
             xn--bcher-kva.example ab.cd.ef 1.2.3.example]

  # The domain the loaded ActionDispatch's own cookie jar picks (CookieJar#handle_options): with a
  # leading dot before 7.1, without one since.
  def rails_domain(host, domain, tld_length)
    require "action_dispatch"
    env = Rack::MockRequest.env_for("http://#{host}/", "HTTP_HOST" => host)
    jar = ActionDispatch::Cookies::CookieJar.build(ActionDispatch::Request.new(env), {})
    options = { domain: domain, tld_length: tld_length }.compact
    jar.send(:handle_options, options)
    options[:domain]
  end

  def rails_leading_dot?
    require "action_pack/version"
    ActionPack.gem_version < Gem::Version.new("7.1")
  end

  context "compared with the loaded ActionDispatch's cookie jar", :active_support, kind: :compat do
    hosts.each do |host|
      [nil, 1, 2, 3, 5].each do |tld_length|
        it "picks Rails' domain for :all on #{host} with tld_length #{tld_length.inspect}" do
          expected = rails_domain(host, :all, tld_length)
          dotted = rails_leading_dot?
          expect(expected.nil? || expected.start_with?(".") == dotted).to be(true), expected.inspect
          expect(described_class.resolve(:all, host, tld_length: tld_length, leading_dot: dotted)).to eq(expected)
          # Rails before 7.1 and since run the same rule; only the leading dot differs.
          other = dotted ? expected&.delete_prefix(".") : expected&.prepend(".")
          expect(described_class.resolve("all", host, tld_length: tld_length, leading_dot: !dotted)).to eq(other)
        end
      end

      it "picks Rails' entry from a domain list on #{host}" do
        list = %w[.myapp.co.uk other.test .myapp.test abc.io]
        expect(described_class.resolve(list, host)).to eq(rails_domain(host, list, nil))
      end
    end
  end

  it "documents the traps: .co.uk-style hosts keep three labels, tld_length 1 is the TLD" do
    expect(described_class.resolve(:all, "www.abc.io")).to eq("www.abc.io")
    expect(described_class.resolve(:all, "www.myapp.co.uk", leading_dot: true)).to eq(".myapp.co.uk")
    expect(described_class.resolve(:all, "www.myapp.com", tld_length: 1)).to eq("com")
    expect(described_class.resolve(:all, "127.0.0.1")).to be_nil
    expect(described_class.resolve("myapp.test", "anything")).to eq("myapp.test")
    expect(described_class.resolve(nil, "www.myapp.test")).to be_nil
  end

  it "takes the host from a block, asked only for :all and Array domains" do
    asked = 0
    host = lambda do
      asked += 1
      "www.myapp.co.uk"
    end
    expected = described_class.resolve(:all, host.call, tld_length: 2)
    expect(described_class.resolve(:all, tld_length: 2) { host.call }).to eq(expected)
    expect(described_class.resolve(%w[other.test myapp.co.uk]) { host.call }).to eq("myapp.co.uk")
    expect(asked).to eq(3)
    expect(described_class.resolve("myapp.test") { host.call }).to eq("myapp.test")
    expect(described_class.resolve(nil) { host.call }).to be_nil
    expect(asked).to eq(3)
  end
end
