# frozen_string_literal: true

require "fileutils"
require "socket"
require "timeout"

# The demo (bin/demo) in a real browser: headless Chromium (Debian's, driven through Debian's
# chromedriver and selenium-webdriver) signs in on the Rails app and goes back and forth with the
# Sinatra app, for cookie sessions and Redis sessions. Screenshots go to tmp/e2e/. Runs in its own
# process (bin/test step "e2e": RAILSESS_E2E=1 rspec spec/e2e). With RAILSESS_DEMO_RAILS=8.1, www
# runs on Rails 8.1 (`bin/demo --rails 8.1`), inside bin/trixie's Debian 13 root (bin/test step
# "trixie-e2e-rails-8.1": bin/trixie run env RAILSESS_E2E=1 RAILSESS_DEMO_RAILS=8.1 rspec spec/e2e).
DEMO_ROOT = File.expand_path("../..", __dir__)
DEMO_SHOTS = File.join(DEMO_ROOT, "tmp", "e2e")
DEMO_RAILS = ENV.fetch("RAILSESS_DEMO_RAILS", nil)

RSpec.describe "the demo#{" with Rails #{DEMO_RAILS}" if DEMO_RAILS} in Chromium", :active_support do
  before(:all) do
    missing = %w[/usr/bin/chromium /usr/bin/chromedriver].reject { |path| File.executable?(path) }
    skip "needs Debian's chromium and chromium-driver (bin/setup installs them): #{missing.join(', ')}" if missing.any?
  end

  def self.free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1].tap { server.close }
  end

  def self.start_demo(*args)
    www = free_port
    api = free_port
    args += ["--rails", DEMO_RAILS] if DEMO_RAILS
    out = IO.popen([File.join(DEMO_ROOT, "bin/demo"), "--www-port", www.to_s, "--api-port", api.to_s, *args,
                    { err: %i[child out] }], "r")
    Timeout.timeout(240) do
      lines = []
      until (line = out.gets).nil? || line.chomp == "ready"
        lines << line
      end
      raise "bin/demo did not get ready:\n#{lines.join}" if line.nil?
    end
    [out, www, api]
  end

  def self.browser
    require "selenium-webdriver"
    options = Selenium::WebDriver::Chrome::Options.new
    options.binary = "/usr/bin/chromium"
    ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,800",
     "--host-resolver-rules=MAP *.myapp.test 127.0.0.1"].each { |arg| options.add_argument(arg) }
    service = Selenium::WebDriver::Service.chrome(path: "/usr/bin/chromedriver")
    Selenium::WebDriver.for(:chrome, options: options, service: service)
  end

  [["cookie sessions", []], ["Redis sessions", ["--redis"]]].each do |label, args|
    context "with #{label}" do
      let(:mode) { "#{"rails#{DEMO_RAILS}-" if DEMO_RAILS}#{args.empty? ? 'cookie' : 'redis'}" }

      before(:all) do
        @demo, @www_port, @api_port = self.class.start_demo(*args)
        @browser = self.class.browser
        FileUtils.mkdir_p(DEMO_SHOTS)
      end

      after(:all) do
        @browser&.quit
        if @demo
          Process.kill("INT", @demo.pid)
          Process.wait(@demo.pid)
        end
      end

      def www(path = "/") = "http://www.myapp.test:#{@www_port}#{path}"
      def api(path = "/") = "http://api.myapp.test:#{@api_port}#{path}"
      def find(css) = wait_for { @browser.find_element(css: css) }

      # Clicks wait for the next page only sometimes: wait for what the test expects instead.
      def wait_for(&)
        errors = [Selenium::WebDriver::Error::NoSuchElementError,
                  Selenium::WebDriver::Error::StaleElementReferenceError]
        Selenium::WebDriver::Wait.new(timeout: 15, ignore: errors).until(&)
      end

      def wait_for_url(prefix) = wait_for { @browser.current_url.start_with?(prefix) }
      def text(css) = wait_for { find(css).text }
      def page_text = find("body").text

      def shot(name)
        @shot = (@shot || 0) + 1
        @browser.save_screenshot(File.join(DEMO_SHOTS, format("%<m>s-%<n>02d-%<s>s.png", m: mode, n: @shot, s: name)))
      end

      def sign_in
        @browser.navigate.to www("/users/sign_in")
        find("#user_email").send_keys("demo@myapp.test")
        find("#user_password").send_keys("railsess-demo")
        find("input[type=submit], button[type=submit]").click
        wait_for { @browser.current_url == www }
      end

      it "shares the login, CSRF tokens and flash messages both ways, and the sign-out" do
        @browser.navigate.to www
        expect(text("h1")).to start_with("www (Rails #{DEMO_RAILS || '6.1'}.") # the Rails bin/demo was asked for
        expect(text("#current-user")).to eq("Not signed in")
        sign_in
        expect(text("#current-user")).to eq("Signed in as demo@myapp.test")
        shot("www-signed-in")
        rails_token = text("#rails-token")

        @browser.navigate.to api
        expect(text("#current-user")).to eq("Signed in as demo@myapp.test")
        shot("api-sees-the-user")

        find("#note-form-button").click # the api's own token
        expect(wait_for_url(www)).to be(true)
        expect(text("#flash-notice")).to include("Note saved by the api")
        shot("www-shows-the-api-flash")

        @browser.navigate.to api
        find("#rails-token-input").send_keys(rails_token) # a token printed by Rails
        find("#rails-token-button").click
        wait_for_url(www)
        expect(text("#flash-notice")).to include("Note saved by the api")

        @browser.navigate.to api
        find("#rails-token-input").send_keys("forged#{rails_token}")
        find("#rails-token-button").click
        expect(wait_for { page_text.include?("Invalid authenticity token") }).to be(true) # 422, as Rails answers
        shot("api-rejects-a-forged-token")

        @browser.navigate.to www
        find("#hello-api").click
        expect(wait_for_url(api)).to be(true)
        expect(text("#flash-notice")).to include("Hello from Rails")
        shot("api-shows-the-rails-flash")

        find("#sign-out-form-button").click
        expect(wait_for_url(www)).to be(true)
        expect(text("#current-user")).to eq("Not signed in")
        shot("signed-out-on-api-www-agrees")
        @browser.navigate.to api
        expect(text("#current-user")).to eq("Not signed in")
      end

      it "shows a signed-out page, not an error, for a tampered session cookie" do
        sign_in
        expect(text("#current-user")).to eq("Signed in as demo@myapp.test")
        cookie = @browser.manage.cookie_named("_myapp_session")
        @browser.manage.delete_cookie("_myapp_session")
        value = cookie[:value]
        @browser.manage.add_cookie(name: "_myapp_session", value: value.reverse, domain: cookie[:domain], path: "/")
        [api, www].each do |url|
          @browser.navigate.to url
          expect(text("#current-user")).to eq("Not signed in")
        end
        shot("tampered-cookie-signed-out")
      end
    end
  end
end
