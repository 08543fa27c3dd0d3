from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def account(request):
    return render(request, "accounts/account.html")


@login_required
def mfa_enrol(request):
    return render(request, "accounts/account.html")


@login_required
def mfa_verify(request):
    return render(request, "accounts/account.html")
