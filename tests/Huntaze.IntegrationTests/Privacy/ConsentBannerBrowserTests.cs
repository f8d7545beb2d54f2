using System.Text.Json;
using Huntaze.Functions.Privacy.Consent;
using Huntaze.Functions.Privacy.Registry;
using Huntaze.IntegrationTests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Huntaze.IntegrationTests.Privacy;

/// <summary>
/// The banner in a real browser: Debian's headless Chromium driven by WebDriver (chromedriver), against the demo page
/// of the local host. No browser, no pass: a browser that cannot start fails the test (.ci/browser.sh installs it).
/// </summary>
public sealed class ConsentBannerBrowserTests(HostFixture fixture)
{
    private const string Stylesheet = "*/api/consent/banner.css*";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Banner_KeyboardRejectReloadReopenGranularEscapeAcceptAll_ServerRecordsEachAndOnlyDeclaredCookies()
    {
        using var chromium = Chromium.Start();
        var browser = chromium.Driver;
        browser.Navigate().GoToUrl(new Uri(fixture.Host.BaseAddress, "/api/consent/demo"));

        // Asked on the first visit: a modal dialog holding the focus, reject as prominent as accept.
        var dialog = await VisibleAsync(browser, ".hzc-backdrop .hzc");
        Assert.Equal("dialog", dialog.GetAttribute("role"));
        Assert.Equal("true", dialog.GetAttribute("aria-modal"));
        Assert.Equal("Your privacy choices", browser.FindElement(By.Id(dialog.GetAttribute("aria-labelledby")!)).Text);
        Assert.True(Inside(browser, dialog));
        var (reject, accept) = (Button(browser, "reject"), Button(browser, "accept"));
        Assert.Equal(Look(browser, reject), Look(browser, accept));
        Assert.True(reject.Size.Height >= 24 && accept.Size.Height >= 24, "WCAG 2.2 target size (2.5.8)");
        for (var i = 0; i < 6; i++)
        {
            Press(browser, Keys.Tab);
            Assert.True(Inside(browser, dialog), $"focus left the dialog after {i + 1} Tab(s)");
        }

        Screenshot(browser);

        // Reject all, with the keyboard.
        Focus(browser, reject);
        Press(browser, Keys.Enter);
        await HiddenAsync(browser, ".hzc-backdrop");

        // Reloaded: the banner stays closed, the record says rejected.
        browser.Navigate().Refresh();
        await ReadyAsync(browser);
        Assert.False(browser.FindElement(By.CssSelector(".hzc-backdrop")).Displayed);
        var state = Fetch(browser, "/api/consent");
        Assert.False(state.GetProperty("ask").GetBoolean());
        ConsentTests.AssertCategories(state, analytics: false, marketing: false, personalization: false);

        // Reopened from the keyboard, granular: analytics only (Tab to its box, Space, Shift+Tab wraps to "Save choices").
        var reopen = browser.FindElement(By.CssSelector(".hzc-reopen"));
        Focus(browser, reopen);
        Press(browser, Keys.Enter);
        dialog = await VisibleAsync(browser, ".hzc-backdrop .hzc");
        Assert.True(Inside(browser, dialog));
        Press(browser, Keys.Tab);
        Assert.Equal("hzc-analytics", ActiveId(browser));
        Press(browser, Keys.Space);
        Assert.True(browser.FindElement(By.Id("hzc-analytics")).Selected);
        new OpenQA.Selenium.Interactions.Actions(browser).KeyDown(Keys.Shift).SendKeys(Keys.Tab).KeyUp(Keys.Shift).Perform();
        Assert.Equal("save", ActiveAction(browser));
        Press(browser, Keys.Enter);
        await HiddenAsync(browser, ".hzc-backdrop");
        Assert.Equal(reopen, browser.SwitchTo().ActiveElement()); // focus returns where it was

        // Escape closes a banner that has a record, recording nothing.
        Press(browser, Keys.Enter);
        await VisibleAsync(browser, ".hzc-backdrop .hzc");
        Press(browser, Keys.Escape);
        await HiddenAsync(browser, ".hzc-backdrop");

        // Accept all, from the keyboard; the page hears the Consent Mode signals to forward to gtag().
        browser.ExecuteScript("window.hzcHeard = []; document.addEventListener('huntaze:consent', e => window.hzcHeard.push(e.detail.consentMode));");
        Press(browser, Keys.Enter);
        await VisibleAsync(browser, ".hzc-backdrop .hzc");
        for (var i = 0; i < 10 && ActiveAction(browser) != "accept"; i++)
        {
            Press(browser, Keys.Tab);
        }

        Press(browser, Keys.Enter);
        await HiddenAsync(browser, ".hzc-backdrop");
        var heard = (string)browser.ExecuteScript("return JSON.stringify(window.hzcHeard);")!;
        Assert.Equal("granted", JsonDocument.Parse(heard).RootElement[0].GetProperty("ad_storage").GetString());

        // The server's history: the three records, with their times and the banner as their source.
        var history = Fetch(browser, "/api/consent/history").GetProperty("records").EnumerateArray().ToList();
        Assert.Equal([(false, false), (true, false), (true, true)], history.Select(r => (r.GetProperty("categories").GetProperty("analytics").GetBoolean(), r.GetProperty("categories").GetProperty("marketing").GetBoolean())));
        Assert.True(history[0].GetProperty("recordedAt").GetDateTimeOffset() <= history[1].GetProperty("recordedAt").GetDateTimeOffset());
        Assert.True(history[1].GetProperty("recordedAt").GetDateTimeOffset() <= history[2].GetProperty("recordedAt").GetDateTimeOffset());
        Assert.All(history, r => Assert.Equal("banner", r.GetProperty("source").GetString()));

        // Cookies: exactly the declared ones, with the declared attributes (Chromium accepts Secure on 127.0.0.1).
        var cookies = browser.Manage().Cookies.AllCookies;
        var declared = HuntazeRegistry.Cookies.ToDictionary(c => c.Name);
        Assert.All(cookies, c => Assert.True(declared.ContainsKey(c.Name), $"cookie {c.Name} is not declared in the registry"));
        var consent = Assert.Single(cookies);
        Assert.Equal(ConsentCookie.Name, consent.Name);
        Assert.Equal(declared[consent.Name].Attributes, $"{(consent.Secure ? "Secure; " : "")}{(consent.IsHttpOnly ? "HttpOnly; " : "")}SameSite={consent.SameSite}; Path={consent.Path}");

        // The same history read over HTTP with the browser's cookie: the server holds it, not the page.
        using var client = new ConsentClient(fixture.Host) { ConsentId = consent.Value };
        Assert.Equal(3, (await client.HistoryAsync()).Length);
    }

    [Fact]
    public async Task Banner_Text_MeetsWcagAaContrast()
    {
        using var chromium = Chromium.Start();
        var browser = chromium.Driver;
        browser.Navigate().GoToUrl(new Uri(fixture.Host.BaseAddress, "/api/consent/demo"));
        await VisibleAsync(browser, ".hzc-backdrop .hzc");
        Focus(browser, Button(browser, "customize")); // the keyboard, not the mouse: a hovered button is mid-transition
        Press(browser, Keys.Enter);
        Assert.True(browser.FindElement(By.Id("hzc-cats")).Displayed);

        // Each text element's colour against the first opaque background behind it (WCAG 2.2 SC 1.4.3: 4.5:1).
        var ratios = (IReadOnlyCollection<object>)WhenSettled(
            browser,
            """
            const rgb = (c) => c.match(/[\d.]+/g).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
              .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
            const back = (n) => { for (; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.length === 3 || c[3] === 1) return c; } return [255, 255, 255]; };
            return [...document.querySelectorAll('.hzc h2, .hzc p, .hzc legend, .hzc label, .hzc-btn, .hzc-note')].filter((n) => n.offsetParent)
              .map((n) => { const [a, b] = [lum(rgb(getComputedStyle(n).color)), lum(back(n))]; return n.className + ':' + (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); });
            """)!;
        Assert.True(ratios.Count >= 8, $"only {ratios.Count} text elements found");
        Assert.All(ratios.Cast<string>(), r => Assert.True(double.Parse(r[(r.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 4.5, r));
    }

    [Fact]
    public async Task Banner_StylesheetArrivesAfterTheConsentAnswer_FirstShownStyled()
    {
        using var chromium = Chromium.Start(PageLoadStrategy.Eager); // the held stylesheet holds back the page's load event
        var browser = chromium.Driver;
        var stylesheet = await HeldRequests.StartAsync(browser, Stylesheet, Ct);
        WatchFirstShow(browser);
        browser.Navigate().GoToUrl(new Uri(fixture.Host.BaseAddress, "/api/consent/demo"));

        // The stylesheet arrives only once the page holds the consent answer (the order a CI run met by chance).
        var held = await stylesheet.NextAsync(Ct);
        await Eventually.HoldsAsync(() => Task.FromResult((bool)browser.ExecuteScript("return window.hzcAnswered === true;")!), Patience, "the page has the consent answer");
        await stylesheet.ContinueAsync(held, Ct);
        await ReadyAsync(browser);

        // As it was in the instant the banner first showed (or said it was ready), before anything could paint.
        var first = FirstShow(browser);
        Assert.True(first.GetProperty("shown").GetBoolean(), $"the banner was not shown: {first}");
        Assert.True(first.GetProperty("position").GetString() == "fixed", $"the banner was shown before its stylesheet loaded: {first}"); // only banner.css sets it
    }

    [Theory]
    [InlineData(Outage.NeverAnswered)]
    [InlineData(Outage.Refused)]
    public async Task Banner_StylesheetNeverLoads_ShownAnywayUnstyled(Outage outage)
    {
        using var chromium = Chromium.Start(PageLoadStrategy.Eager);
        var browser = chromium.Driver;
        var stylesheet = await HeldRequests.StartAsync(browser, Stylesheet, Ct);
        WatchFirstShow(browser);
        browser.Navigate().GoToUrl(new Uri(fixture.Host.BaseAddress, "/api/consent/demo"));

        var held = await stylesheet.NextAsync(Ct);
        if (outage == Outage.Refused)
        {
            await stylesheet.FailAsync(held, Ct);
        }

        // Asked all the same (a consent banner must never be suppressed): after the script's bound when nothing answers.
        var dialog = await VisibleAsync(browser, ".hzc-backdrop .hzc");
        Assert.True(Inside(browser, dialog));
        var first = FirstShow(browser);
        Assert.True(first.GetProperty("shown").GetBoolean(), $"the banner was not shown: {first}");
        Assert.False(first.GetProperty("position").GetString() == "fixed", $"the banner had its styles although its stylesheet never arrived: {first}");
    }

    /// <summary>How the banner's stylesheet may fail to arrive.</summary>
    public enum Outage
    {
        NeverAnswered,
        Refused,
    }

    /// <summary>
    /// Before the page's own scripts run: notes when the page hears the consent answer, and the banner's state in the
    /// instant it is first shown or marked ready (a mutation observer runs before the browser can paint or load a sheet).
    /// </summary>
    private static void WatchFirstShow(ChromeDriver browser) =>
        browser.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?>
        {
            ["source"] = """
                document.addEventListener('huntaze:consent', () => { window.hzcAnswered = true; });
                new MutationObserver((_, observer) => {
                  const backdrop = document.querySelector('.hzc-backdrop');
                  const shown = Boolean(backdrop && !backdrop.hidden);
                  if (!shown && !document.documentElement.hasAttribute('data-hzc-ready')) return;
                  window.hzcFirstShow = { shown, position: backdrop && getComputedStyle(backdrop).position };
                  observer.disconnect();
                }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden', 'data-hzc-ready'] });
                """,
        });

    private static JsonElement FirstShow(ChromeDriver browser) =>
        JsonDocument.Parse((string)browser.ExecuteScript("return JSON.stringify(window.hzcFirstShow || null);")!).RootElement.Clone();

    private static IWebElement Button(ChromeDriver browser, string action) => browser.FindElement(By.CssSelector($".hzc [data-act='{action}']"));

    private static bool Inside(ChromeDriver browser, IWebElement dialog) =>
        (bool)browser.ExecuteScript("return arguments[0].contains(document.activeElement);", dialog)!;

    private static void Focus(ChromeDriver browser, IWebElement element) => browser.ExecuteScript("arguments[0].focus();", element);

    private static void Press(ChromeDriver browser, string key) => new OpenQA.Selenium.Interactions.Actions(browser).SendKeys(key).Perform();

    private static string? ActiveId(ChromeDriver browser) => (string?)browser.ExecuteScript("return document.activeElement && document.activeElement.id;");

    private static string? ActiveAction(ChromeDriver browser) => (string?)browser.ExecuteScript("return document.activeElement && document.activeElement.getAttribute('data-act');");

    /// <summary>What makes a button prominent: colours, type and size.</summary>
    private static string Look(ChromeDriver browser, IWebElement button) =>
        (string)WhenSettled(
            browser,
            "const s = getComputedStyle(arguments[0]); return [s.backgroundColor, s.color, s.fontSize, s.fontWeight, s.borderTopWidth, s.borderTopColor, s.paddingLeft, s.height].join('|');",
            button)!;

    /// <summary>
    /// Runs a script (a function body, given <paramref name="arguments"/>) once the page's transitions have run: the
    /// buttons' background fades in over 0.15 s, and a look read mid-fade (rgb(30, 79, 216) for rgb(29, 78, 216)) failed
    /// a CI run.
    /// </summary>
    private static object? WhenSettled(ChromeDriver browser, string body, params object[] arguments) =>
        browser.ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1]; const given = [...arguments].slice(0, -1);"
            + "Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))"
            + ".then(() => done((function () { " + body + " }).apply(null, given)));",
            arguments);

    private static JsonElement Fetch(ChromeDriver browser, string path)
    {
        var text = (string)browser.ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0], { credentials: 'include' }).then(r => r.text()).then(done, e => done('ERROR ' + e));",
            path)!;
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<IWebElement> VisibleAsync(ChromeDriver browser, string css)
    {
        await ReadyAsync(browser);
        IWebElement? found = null;
        await Eventually.HoldsAsync(() => Task.FromResult((found = browser.FindElements(By.CssSelector(css)).FirstOrDefault()) is { Displayed: true }), Patience, $"{css} is shown");
        return found!;
    }

    private static async Task HiddenAsync(ChromeDriver browser, string css) =>
        await Eventually.HoldsAsync(() => Task.FromResult(browser.FindElements(By.CssSelector(css)).All(e => !e.Displayed)), Patience, $"{css} is hidden");

    /// <summary>The module sets data-hzc-ready once it knows whether to ask.</summary>
    private static async Task ReadyAsync(ChromeDriver browser) =>
        await Eventually.HoldsAsync(() => Task.FromResult((bool)browser.ExecuteScript("return document.documentElement.hasAttribute('data-hzc-ready');")!), Patience, "the banner module ran");

    /// <summary>With HUNTAZE_WRITE_GENERATED_DOCS=1, the banner on the demo page becomes docs/privacy/consent-banner.png.</summary>
    private static void Screenshot(ChromeDriver browser)
    {
        if (Environment.GetEnvironmentVariable("HUNTAZE_WRITE_GENERATED_DOCS") == "1")
        {
            browser.GetScreenshot().SaveAsFile(Path.Combine(RegistryTests.RepositoryRoot(), "docs", "privacy", "consent-banner.png"));
        }
    }
}

/// <summary>
/// Debian's Chromium and its chromedriver (or HUNTAZE_CHROMIUM / HUNTAZE_CHROMEDRIVER), headless, with the flags this
/// machine needs (no background networking: its connections are refused here) and a fresh profile.
/// </summary>
internal sealed class Chromium : IDisposable
{
    private readonly string _profile;

    private Chromium(ChromeDriver driver, string profile)
    {
        Driver = driver;
        _profile = profile;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Starts the browser; <paramref name="pageLoad"/> says when a navigation returns (Normal: at the page's load event).</summary>
    public static Chromium Start(PageLoadStrategy pageLoad = PageLoadStrategy.Normal)
    {
        var binary = Environment.GetEnvironmentVariable("HUNTAZE_CHROMIUM") ?? "/usr/bin/chromium";
        var driver = Environment.GetEnvironmentVariable("HUNTAZE_CHROMEDRIVER") ?? "/usr/bin/chromedriver";
        Assert.True(File.Exists(binary) && File.Exists(driver), $"No browser: {binary} or {driver} is missing. Install them: apt-get install chromium chromium-driver (.ci/browser.sh does).");
        var profile = Directory.CreateTempSubdirectory("huntaze-chromium-").FullName;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = binary, PageLoadStrategy = pageLoad };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,800", $"--user-data-dir={profile}");
        var chrome = new ChromeDriver(service, options, TimeSpan.FromSeconds(120));
        chrome.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(60);
        TestContext.Current.AddAttachment("chromium", chrome.Capabilities.GetCapability("browserVersion")?.ToString() ?? "?");
        return new Chromium(chrome, profile);
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the temp directory is cleaned by the OS.
        }
    }
}
