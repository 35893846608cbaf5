# frozen_string_literal: true

desc "Build railsess-VERSION.gem from railsess.gemspec"
task(:gem) { sh "gem build railsess.gemspec" }
