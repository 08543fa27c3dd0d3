from django.shortcuts import render


def school_settings_page(request):
    return render(request, "home.html")
