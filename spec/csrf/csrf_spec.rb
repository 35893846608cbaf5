# frozen_string_literal: true

require "open3"
require "rbconfig"
require "rack/test"
require "rack/session/cookie" # Rack 3: in the rack-session gem, which nothing else loads without Rails
require "railsess/csrf"
require "action_controller" unless WITHOUT_ACTIVE_SUPPORT

# Railsess::CSRF against the loaded ActionController (RequestForgeryProtection's own private methods,
# called on a controller whose session is a Hash), in both directions and both token flavours.
RSpec.describe Railsess::CSRF, kind: :unit do
  # 32 bytes whose strict base64 has "+" and "/" (url-safe: "-" and "_"), so flavour mix-ups show.
  let(:raw_bytes) { ("\xFB\xEF\xBE\xFF\xFF\xFF".b * 6).byteslice(0, 32) }

  def xor(left, right)
    left.bytes.zip(right.bytes).map { |a, b| a ^ b }.pack("C*")
  end

  def decode(token)
    Base64.urlsafe_decode64(token)
  end

  def unmask(token)
    bytes = decode(token)
    xor(bytes.byteslice(0, 32), bytes.byteslice(32, 32))
  end

  def hmac(key, data)
    OpenSSL::HMAC.digest("SHA256", key, data)
  end

  def masked(bytes, urlsafe:)
    pad = SecureRandom.random_bytes(32)
    token = pad + xor(pad, bytes)
    urlsafe ? Base64.urlsafe_encode64(token, padding: false) : Base64.strict_encode64(token)
  end

  describe "byte format (no Rails)" do
    [true, false].each do |urlsafe|
      it "masks HMAC-SHA256(raw, \"!real_csrf_token\") with a fresh pad, urlsafe: #{urlsafe}" do
        session = { "_csrf_token" => Base64.strict_encode64(raw_bytes) }
        first = described_class.token(session, urlsafe: urlsafe)
        second = described_class.token(session, urlsafe: urlsafe)
        expect(first).to match(urlsafe ? /\A[A-Za-z0-9_-]{86}\z/ : %r{\A[A-Za-z0-9+/]{86}==\z})
        expect(first).not_to eq(second)
        expect(unmask(first)).to eq(hmac(raw_bytes, "!real_csrf_token"))
        expect(unmask(second)).to eq(unmask(first))
      end

      it "masks HMAC-SHA256(raw, path#method) for a form, urlsafe: #{urlsafe}" do
        session = { "_csrf_token" => Base64.urlsafe_encode64(raw_bytes, padding: false) }
        token = described_class.token(session, path: "https://example.com/posts/7/?x=1#top", method: "PATCH",
                                               urlsafe: urlsafe)
        expect(unmask(token)).to eq(hmac(raw_bytes, "/posts/7#patch"))
        global = described_class.token(session, path: "/posts/7", method: "patch", urlsafe: urlsafe, per_form: false)
        expect(unmask(global)).to eq(hmac(raw_bytes, "!real_csrf_token"))
      end
    end

    it "creates a 32-byte session token only when missing, in the requested flavour" do
      strict = {}
      described_class.token(strict, urlsafe: false)
      expect(strict.keys).to eq(["_csrf_token"])
      expect(strict["_csrf_token"]).to match(%r{\A[A-Za-z0-9+/]{43}=\z})
      urlsafe = {}
      described_class.token(urlsafe)
      # Padded as Rails 6.1 pads it, unpadded as 7.0+ (and railsess without ActiveSupport) write it.
      padding = Railsess::Compat.level.rails_61? ? "=" : ""
      expect(urlsafe["_csrf_token"]).to match(/\A[A-Za-z0-9_-]{43}#{padding}\z/)
      expect(decode(urlsafe["_csrf_token"]).bytesize).to eq(32)
      expect { described_class.token(urlsafe, urlsafe: false) }.not_to(change { urlsafe["_csrf_token"] })
    end

    it "does not write the session when validating, and refuses without a session token" do
      session = {}
      token = described_class.token({ "_csrf_token" => Base64.strict_encode64(raw_bytes) })
      expect(described_class.valid?(session, token)).to be(false)
      expect(described_class.valid?(nil, token)).to be(false)
      expect(session).to be_empty
    end

    it "refuses non-String and empty tokens without raising" do
      session = { "_csrf_token" => Base64.strict_encode64(raw_bytes) }
      token = described_class.token(session)
      [nil, "", 123, :sym, [token], { "a" => token }].each do |bad|
        expect(described_class.valid?(session, bad)).to be(false), bad.inspect
      end
      expect(described_class.valid?(session, token.encode("UTF-16LE"))).to be(false)
      expect(described_class.valid?(session, "#{token}\xFF".b)).to be(false)
    end

    it "refuses (never raises) with a session token that is not base64 or not 32 bytes" do
      token = described_class.token({ "_csrf_token" => Base64.strict_encode64(raw_bytes) })
      ["not base64!", 42, ["x"]].each do |stored|
        expect(described_class.valid?({ "_csrf_token" => stored }, token)).to be(false)
        expect { described_class.token({ "_csrf_token" => stored }) }.to raise_error(ArgumentError, /_csrf_token/)
      end
      short = { "_csrf_token" => Base64.strict_encode64("x" * 16) }
      expect(described_class.valid?(short, Base64.strict_encode64("y" * 32))).to be(false)
      expect(described_class.valid?(short, Base64.strict_encode64("x" * 16))).to be(false)
      expect(described_class.valid?(short, described_class.token(short))).to be(true)
    end

    it "does not load ActiveSupport or ActionPack" do
      lib = File.expand_path("../../lib", __dir__)
      code = <<~RUBY
        require "railsess/csrf"
        s = {}
        t = Railsess::CSRF.token(s, path: "/a", method: "post")
        puts Railsess::CSRF.valid?(s, t, path: "/a/", method: "POST"), defined?(ActiveSupport).inspect
      RUBY
      out, err, status = Open3.capture3(RbConfig.ruby, "-I#{lib}", "-e", code)
      expect(status).to be_success, err
      expect(out.lines.map(&:chomp)).to eq(%w[true nil])
    end
  end

  describe "against the loaded ActionController", :active_support, kind: :compat do
    # 7.1+: the session token comes from request.session (csrf_token_storage_strategy) and is stored
    # when the request ends (commit_csrf_token); tokens are always url-safe; the helpers take no session.
    def modern_rails?
      require "action_pack/version"
      ActionPack.gem_version >= Gem::Version.new("7.1")
    end

    # 6.1 pads its url-safe session tokens (see Railsess::CSRF.generate_session_token); 7.0+ do not.
    def rails_session_token_shape(urlsafe)
      padding = ActionPack.gem_version < Gem::Version.new("7.0") ? "=" : ""
      urlsafe ? /\A[A-Za-z0-9_-]{43}#{padding}\z/ : %r{\A[A-Za-z0-9+/]{43}=\z}
    end

    def controller_class
      @controller_class ||= Class.new(ActionController::Base) do
        attr_accessor :test_session

        def session
          test_session
        end
      end
    end

    # A controller handling `method path`, with Rails' session as a Hash with indifferent access (Rails reads
    # `session[:_csrf_token]`; its real session stringifies keys, as Rack's SessionHash does).
    def rails(session, urlsafe:, path: "/posts", method: "POST", per_form: true)
      controller = controller_class.new
      controller.config.urlsafe_csrf_tokens = urlsafe
      controller.per_form_csrf_tokens = per_form
      env = Rack::MockRequest.env_for(path, method: method)
      env["rack.session"] = session # what 7.1+ read (request.session)
      controller.request = ActionDispatch::Request.new(env)
      controller.test_session = session
      controller
    end

    def rails_token(controller, action: nil, method: nil)
      form_options = { action: action, method: method }
      unless modern_rails?
        return controller.send(:masked_authenticity_token, controller.session, form_options: form_options)
      end

      token = controller.send(:masked_authenticity_token, form_options: form_options)
      controller.send(:commit_csrf_token, controller.request) # 7.1+ store the session token as the request ends
      token
    end

    def rails_valid?(controller, token)
      valid = controller.send(:valid_authenticity_token?, controller.session, token)
      controller.send(:commit_csrf_token, controller.request) if modern_rails?
      valid
    end

    def new_session(stored = nil)
      session = ActiveSupport::HashWithIndifferentAccess.new
      session["_csrf_token"] = stored if stored
      session
    end

    # Requests a per-form token for PATCH /posts/1 must (true) or must not (false) be accepted on.
    let(:per_form_requests) do
      [["/posts/1", "PATCH", true], ["/posts/1/", "PATCH", true], ["/posts/2", "PATCH", false],
       ["/posts/1", "POST", false], ["/posts/1/edit", "PATCH", false], ["/posts", "PATCH", false]]
    end

    [true, false].each do |urlsafe|
      context "with urlsafe_csrf_tokens = #{urlsafe}" do
        before do
          if !urlsafe && modern_rails?
            skip "ActionController 7.1+ has only url-safe CSRF tokens (urlsafe_csrf_tokens is gone)"
          end
        end

        let(:session) { new_session }

        it "accepts Rails' global token, on any path and method" do
          token = rails_token(rails(session, urlsafe: urlsafe))
          expect(described_class.valid?(session, token, urlsafe: urlsafe)).to be(true)
          expect(described_class.valid?(session, token, path: "/other", method: "DELETE", urlsafe: urlsafe)).to be(true)
          expect(described_class.valid?(session, token, urlsafe: !urlsafe, per_form: false)).to be(true)
        end

        it "makes global tokens Rails accepts on any path and method" do
          token = described_class.token(session, urlsafe: urlsafe)
          expect(rails_valid?(rails(session, urlsafe: urlsafe), token)).to be(true)
          expect(rails_valid?(rails(session, urlsafe: urlsafe, path: "/x/y", method: "DELETE"), token)).to be(true)
          expect(rails_valid?(rails(session, urlsafe: !urlsafe, per_form: false), token)).to be(true)
        end

        it "accepts Rails' per-form token only on its path and method, as Rails does" do
          token = rails_token(rails(session, urlsafe: urlsafe), action: "/posts/1/?page=2", method: "patch")
          per_form_requests.each do |path, method, expected|
            ours = described_class.valid?(session, token, path: path, method: method, urlsafe: urlsafe)
            theirs = rails_valid?(rails(session, urlsafe: urlsafe, path: path, method: method), token)
            expect([ours, theirs]).to eq([expected, expected]), "#{method} #{path}"
          end
          expect(described_class.valid?(session, token, urlsafe: urlsafe)).to be(false)
          expect(described_class.valid?(session, token, path: "/posts/1", method: "PATCH", per_form: false))
            .to be(false)
        end

        it "makes per-form tokens Rails accepts only on their path and method" do
          token = described_class.token(session, path: "http://example.com/posts/1/?page=2", method: :patch,
                                                 urlsafe: urlsafe)
          per_form_requests.each do |path, method, expected|
            theirs = rails_valid?(rails(session, urlsafe: urlsafe, path: path, method: method), token)
            expect(theirs).to be(expected), "#{method} #{path}"
          end
          off = rails(session, urlsafe: urlsafe, path: "/posts/1", method: "PATCH", per_form: false)
          expect(rails_valid?(off, token)).to be(false)
        end

        it "makes a global token when per_form is off, like Rails" do
          token = described_class.token(session, path: "/posts/1", method: "patch", urlsafe: urlsafe, per_form: false)
          expect(rails_valid?(rails(session, urlsafe: urlsafe, path: "/elsewhere"), token)).to be(true)
          theirs = rails_token(rails(session, urlsafe: urlsafe, per_form: false), action: "/posts/1", method: "patch")
          expect(described_class.valid?(session, theirs, path: "/elsewhere", method: "POST")).to be(true)
        end

        it "encodes tokens in the same flavour and shape as Rails" do
          shape = urlsafe ? /\A[A-Za-z0-9_-]{86}\z/ : %r{\A[A-Za-z0-9+/]{86}==\z}
          theirs = rails_token(rails(session, urlsafe: urlsafe))
          ours = described_class.token(session, urlsafe: urlsafe)
          expect([theirs, ours]).to all(match(shape))
          expect(unmask(ours)).to eq(unmask(theirs))
        end

        it "creates the session token as Rails does" do
          rails_session = new_session
          rails_token(rails(rails_session, urlsafe: urlsafe))
          ours = {}
          described_class.token(ours, urlsafe: urlsafe)
          # Rails 6.1's url-safe tokens keep their "=": urlsafe_base64(32, padding: false) passes a truthy Hash.
          expect([rails_session["_csrf_token"], ours["_csrf_token"]]).to all(match(rails_session_token_shape(urlsafe)))
        end

        it "shares the session token with Rails without rewriting it" do
          rails_token(rails(session, urlsafe: urlsafe))
          expect { described_class.token(session, urlsafe: !urlsafe) }.not_to(change { session["_csrf_token"] })
          other = {}
          described_class.token(other, urlsafe: urlsafe)
          theirs = new_session(other["_csrf_token"])
          expect { rails_token(rails(theirs, urlsafe: !urlsafe)) }.not_to(change { theirs["_csrf_token"] })
        end

        it "accepts the raw 32-byte session token, unmasked or masked, in either encoding, as Rails does" do
          session["_csrf_token"] = Base64.strict_encode64(raw_bytes)
          tokens = [session["_csrf_token"], Base64.urlsafe_encode64(raw_bytes, padding: false),
                    masked(raw_bytes, urlsafe: true), masked(raw_bytes, urlsafe: false)]
          tokens.each do |token|
            expect(described_class.valid?(session, token, urlsafe: urlsafe)).to be(true), token
            expect(rails_valid?(rails(session, urlsafe: urlsafe), token)).to be(true), token
          end
        end

        [["strict", ->(raw) { Base64.strict_encode64(raw) }],
         ["url-safe padded", ->(raw) { Base64.urlsafe_encode64(raw) }],
         ["url-safe unpadded", ->(raw) { Base64.urlsafe_encode64(raw, padding: false) }]].each do |name, encoder|
          it "interoperates with a #{name} session token" do
            stored = encoder.call(raw_bytes)
            session = new_session(stored)
            ours = described_class.token(session, urlsafe: urlsafe)
            ours_form = described_class.token(session, path: "/posts", method: "post", urlsafe: urlsafe)
            theirs = rails_token(rails(session, urlsafe: urlsafe))
            theirs_form = rails_token(rails(session, urlsafe: urlsafe), action: "/posts", method: "post")
            expect([ours, ours_form].map { |t| rails_valid?(rails(session, urlsafe: urlsafe), t) }).to eq([true, true])
            expect([theirs, theirs_form].map do |t|
              described_class.valid?(session, t, path: "/posts", method: "POST", urlsafe: urlsafe)
            end).to eq([true, true])
            expect(unmask(ours)).to eq(hmac(raw_bytes, "!real_csrf_token"))
            expect(session["_csrf_token"]).to eq(stored)
          end
        end

        it "rejects what Rails rejects: tampered, truncated, garbage and foreign tokens" do
          session["_csrf_token"] = Base64.strict_encode64(raw_bytes)
          good = described_class.token(session, urlsafe: urlsafe)
          bytes = decode(good)
          flip = ->(i) { bytes.dup.tap { |b| b.setbyte(i, b.getbyte(i) ^ 1) } }
          encode = ->(b) { urlsafe ? Base64.urlsafe_encode64(b, padding: false) : Base64.strict_encode64(b) }
          foreign = described_class.token({}, urlsafe: urlsafe)
          bad = [
            encode.call(flip.call(0)), encode.call(flip.call(40)), encode.call(flip.call(63)),
            good.tr("A-Za-z", "B-ZAb-za"), good[0...-1], good[0...-4], good[0, 43], encode.call(bytes.byteslice(0, 32)),
            encode.call(bytes.byteslice(0, 48)), encode.call("#{bytes}x"), "#{good}\n", " #{good}", "#{good}===",
            "not a token!", "====", "A", foreign, Base64.strict_encode64(SecureRandom.random_bytes(32)),
            encode.call(hmac(raw_bytes, "!real_csrf_token")), # the global token itself, unmasked
            nil, ""
          ]
          bad.each do |token|
            expect(described_class.valid?(session, token, path: "/posts", method: "POST", urlsafe: urlsafe))
              .to be(false), token.inspect
            expect(rails_valid?(rails(session, urlsafe: urlsafe), token)).to be(false), token.inspect
          end
          expect(described_class.valid?(session, good, urlsafe: urlsafe)).to be(true)
        end

        it "rejects tokens from another session, as Rails does" do
          token = rails_token(rails(new_session, urlsafe: urlsafe))
          form = described_class.token(new_session, path: "/posts", method: "post", urlsafe: urlsafe)
          rails_token(rails(session, urlsafe: urlsafe))
          [token, form].each do |t|
            expect(described_class.valid?(session, t, path: "/posts", method: "POST", urlsafe: urlsafe)).to be(false)
            expect(rails_valid?(rails(session, urlsafe: urlsafe), t)).to be(false)
          end
        end

        it "agrees with Rails on random sessions, forms and requests" do
          paths = ["/", "/posts", "/posts/1", "/a/b/c", "/posts/1/"]
          methods = %w[POST PATCH PUT DELETE]
          40.times do
            session = new_session
            form_path = paths.sample
            form_method = methods.sample
            req_path = paths.sample
            req_method = methods.sample
            ours = described_class.token(session, path: "#{form_path}?q=#{rand(9)}", method: form_method.downcase,
                                                  urlsafe: urlsafe)
            theirs = rails_token(rails(session, urlsafe: urlsafe), action: form_path, method: form_method.downcase)
            controller = rails(session, urlsafe: urlsafe, path: req_path, method: req_method)
            expected = form_path.chomp("/") == req_path.chomp("/") && form_method == req_method
            expect(rails_valid?(controller, ours)).to be(expected)
            expect(described_class.valid?(session, theirs, path: req_path, method: req_method, urlsafe: urlsafe))
              .to be(expected)
          end
        end
      end
    end

    it "refuses what Rails blows up on: no, broken or short session tokens, non-String tokens" do
      token = described_class.token({ "_csrf_token" => Base64.strict_encode64(raw_bytes) })
      empty = new_session
      expect(rails_valid?(rails(empty, urlsafe: true), token)).to be(false)
      expect(empty["_csrf_token"]).to match(rails_session_token_shape(true)) # Rails creates one while validating
      expect(described_class.valid?(new_session, token)).to be(false)

      broken = new_session("not base64!")
      expect { rails_valid?(rails(broken, urlsafe: true), token) }.to raise_error(ArgumentError)
      expect(described_class.valid?(broken, token)).to be(false)
      expect { rails_token(rails(broken, urlsafe: true)) }.to raise_error(ArgumentError)
      expect { described_class.token(broken) }.to raise_error(ArgumentError)

      short = new_session(Base64.strict_encode64("x" * 16))
      expect(rails_valid?(rails(short, urlsafe: true), described_class.token(short))).to be(true)
      expect { rails_valid?(rails(short, urlsafe: true), token) }.to raise_error(ArgumentError, /length/)
      expect(described_class.valid?(short, token)).to be(false)

      good = new_session(Base64.strict_encode64(raw_bytes))
      # An Integer token: Rails 6.1 (and Debian 13's 7.2.2) raise NoMethodError on the way, 8.1 refuses it.
      rails_outcome = begin
        rails_valid?(rails(good, urlsafe: true), 123)
      rescue NoMethodError
        :raises
      end
      expect(rails_outcome).to eq(false).or eq(:raises)
      expect(rails_valid?(rails(good, urlsafe: true), [token])).to be(false)
      expect(described_class.valid?(good, 123)).to be(false)
    end
  end

  describe Railsess::CSRF::Protection do
    include Rack::Test::Methods

    let(:protection_options) { {} }
    let(:calls) { [] }

    # /token[?path=&method=&per_form=1] prints a token for the session; anything else answers "ok METHOD path".
    def inner_app
      calls = self.calls
      lambda do |env|
        request = Rack::Request.new(env)
        calls << request.request_method
        body = if request.path == "/token"
                 extra = request.params["per_form"] ? { per_form: true } : {}
                 Railsess::CSRF.token_for(env, path: request.params["path"], method: request.params["method"], **extra)
               else
                 "ok #{request.request_method} #{request.path}"
               end
        [200, { "content-type" => "text/plain" }, [body]]
      end
    end

    def app
      inner = inner_app
      protection = protection_options
      Rack::Builder.new do
        use Rack::Session::Cookie, secret: "s" * 64, key: "_app_session"
        use Rack::MethodOverride
        use Railsess::CSRF::Protection, **protection
        run inner
      end
    end

    def fetch_token(**query)
      get "/token", query
      expect(last_response.status).to eq(200)
      last_response.body
    end

    def expect_refused(reason = :token)
      expect(last_response.status).to eq(422)
      expect(last_response.headers["content-type"]).to eq("text/plain")
      expect(last_response.body).to eq("Invalid authenticity token\n")
      expect(last_request.env["railsess.csrf.failure"]).to eq(reason)
    end

    it "lets GET and HEAD through without a token, whatever the Origin" do
      header "Origin", "https://evil.example"
      get "/posts"
      expect(last_response.body).to eq("ok GET /posts")
      head "/posts"
      expect(last_response.status).to eq(200)
    end

    it "refuses POST, PUT, PATCH, DELETE and OPTIONS without a token, before the app runs" do
      fetch_token
      calls.clear
      %i[post put patch delete options].each do |verb|
        send(verb, "/posts")
        expect_refused
      end
      expect(calls).to be_empty
    end

    it "accepts the token in the authenticity_token parameter, body or query" do
      token = fetch_token
      post "/posts", authenticity_token: token
      expect(last_response.body).to eq("ok POST /posts")
      delete "/posts/1?authenticity_token=#{CGI.escape(token)}"
      expect(last_response.body).to eq("ok DELETE /posts/1")
    end

    it "accepts the token in the X-CSRF-Token header" do
      token = fetch_token
      header "X-CSRF-Token", token
      put "/posts/1", "{}", "CONTENT_TYPE" => "application/json"
      expect(last_response.body).to eq("ok PUT /posts/1")
    end

    it "refuses a wrong token, a token of another session, and a token with no session token" do
      token = fetch_token
      post "/posts", authenticity_token: token.reverse
      expect_refused
      clear_cookies
      post "/posts", authenticity_token: token
      expect_refused
      fetch_token
      post "/posts", authenticity_token: "bogus", "other" => token
      expect_refused
    end

    it "checks per-form tokens against the (method-overridden) request" do
      token = fetch_token(path: "/posts/1", method: "patch")
      post "/posts/1", authenticity_token: token
      expect_refused
      post "/posts/2", _method: "patch", authenticity_token: token
      expect_refused
      post "/posts/1/", _method: "patch", authenticity_token: token
      expect(last_response.body).to eq("ok PATCH /posts/1/")
    end

    context "with per_form: false" do
      let(:protection_options) { { per_form: false } }

      it "prints global tokens and refuses per-form ones" do
        global = fetch_token(path: "/posts/1", method: "patch")
        form = fetch_token(path: "/posts/1", method: "patch", per_form: "1")
        patch "/posts/1", authenticity_token: form
        expect_refused
        post "/anything", authenticity_token: global
        expect(last_response.status).to eq(200)
      end
    end

    context "with urlsafe: false" do
      let(:protection_options) { { urlsafe: false } }

      it "prints strict base64 tokens and accepts them" do
        token = fetch_token
        expect(token).to match(%r{\A[A-Za-z0-9+/]{86}==\z})
        post "/posts", authenticity_token: token
        expect(last_response.status).to eq(200)
      end
    end

    it "prints url-safe tokens by default" do
      expect(fetch_token).to match(/\A[A-Za-z0-9_-]{86}\z/)
    end

    it "checks the Origin header against the request's base URL" do
      token = fetch_token
      header "Origin", "http://example.org"
      post "/posts", authenticity_token: token
      expect(last_response.status).to eq(200)
      header "Origin", "https://example.org"
      post "/posts", authenticity_token: token
      expect_refused(:origin)
      header "Origin", "null"
      post "/posts", authenticity_token: token
      expect_refused(:null_origin)
      header "Origin", "http://example.org"
      header "X-Forwarded-Host", "evil.example, example.org"
      post "/posts", authenticity_token: token
      expect(last_response.status).to eq(200)
    end

    context "with origin_check: false" do
      let(:protection_options) { { origin_check: false } }

      it "ignores the Origin header but still needs a token" do
        token = fetch_token
        header "Origin", "null"
        post "/posts"
        expect_refused
        post "/posts", authenticity_token: token
        expect(last_response.status).to eq(200)
      end
    end

    context "with skip_if and on_failure" do
      let(:protection_options) do
        { skip_if: ->(env) { env["PATH_INFO"].start_with?("/webhooks/") },
          on_failure: ->(env) { [403, { "content-type" => "text/html" }, ["no: #{env['railsess.csrf.failure']}"]] } }
      end

      it "skips what skip_if selects and answers failures with on_failure" do
        post "/webhooks/stripe"
        expect(last_response.body).to eq("ok POST /webhooks/stripe")
        post "/posts"
        expect([last_response.status, last_response.body]).to eq([403, "no: token"])
      end
    end

    it "counts unparsable parameters as no token instead of raising" do
      token = fetch_token
      post "/posts?a[]=1&a[b]=2", authenticity_token: token
      expect_refused
      header "X-CSRF-Token", token
      post "/posts?a[]=1&a[b]=2"
      expect(last_response.status).to eq(200)
    end

    it "raises when there is no session middleware" do
      no_session = Railsess::CSRF::Protection.new(inner_app)
      env = Rack::MockRequest.env_for("/posts", method: "POST")
      expect { no_session.call(env) }.to raise_error(Railsess::CSRF::Error, /rack.session/)
      expect(no_session.call(Rack::MockRequest.env_for("/posts"))[0]).to eq(200)
      expect { Railsess::CSRF.token_for({}) }.to raise_error(Railsess::CSRF::Error)
    end

    context "with tokens from Rails", :active_support do
      def inner_app
        controller_class = Class.new(ActionController::Base)
        lambda do |env|
          controller = controller_class.new
          controller.config.urlsafe_csrf_tokens = true
          controller.per_form_csrf_tokens = true
          controller.request = ActionDispatch::Request.new(env)
          form_options = { action: env["QUERY_STRING"].empty? ? nil : env["QUERY_STRING"], method: "post" }
          # Rails on the Rack session (Rack::Session::Abstract::SessionHash): it reads session[:_csrf_token]
          # (6.1/7.0: the session it is given; 7.1+: request.session, stored as the request ends).
          require "action_pack/version"
          token = if ActionPack.gem_version >= Gem::Version.new("7.1")
                    controller.send(:masked_authenticity_token, form_options: form_options)
                              .tap { controller.send(:commit_csrf_token, controller.request) }
                  else
                    controller.send(:masked_authenticity_token, env["rack.session"], form_options: form_options)
                  end
          [200, { "content-type" => "text/plain" }, [env["REQUEST_METHOD"] == "GET" ? token : "ok"]]
        end
      end

      it "accepts Rails' global and per-form tokens made on the same Rack session" do
        get "/"
        global = last_response.body
        get "/?/comments"
        form = last_response.body
        post "/anywhere", authenticity_token: global
        expect(last_response.body).to eq("ok")
        post "/comments", authenticity_token: form
        expect(last_response.body).to eq("ok")
        post "/anywhere", authenticity_token: form
        expect_refused
      end
    end

    it "computes the base URL as ActionDispatch::Request#base_url does", :active_support do
      envs = [{}, { "HTTPS" => "on" }, { "HTTP_HOST" => "example.org:8080" },
              { "HTTP_HOST" => "example.org:443", "HTTPS" => "on" },
              { "HTTP_X_FORWARDED_PROTO" => "https", "HTTP_HOST" => "a.test" },
              { "HTTP_X_FORWARDED_HOST" => "a.test, b.test:8443" }, { "HTTP_X_FORWARDED_HOST" => " " },
              { "HTTP_X_FORWARDED_SSL" => "on", "HTTP_HOST" => "a.test:443" }]
      protection = Railsess::CSRF::Protection.new(inner_app)
      envs.each do |extra|
        env = Rack::MockRequest.env_for("/x", method: "POST").merge(extra)
        expected = ActionDispatch::Request.new(env.dup).base_url
        expect(protection.send(:base_url, Rack::Request.new(env))).to eq(expected), extra.inspect
      end
      forwarded = Rack::MockRequest.env_for("/x").merge("HTTP_X_FORWARDED_HOST" => "a.test, b.test")
      # What Rack alone would compare with: Rack 2.2 takes the first X-Forwarded-Host, Rack 3 the last.
      expect(Rack::Request.new(forwarded).base_url).to eq(Rack.release.start_with?("2.") ? "http://a.test" : "http://b.test")
    end
  end
end
